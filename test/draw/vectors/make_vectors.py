#!/usr/bin/env python3
"""Independent implementation of suiji-draw-v1 (docs/DRAW.md) with hashlib only.

For every fixture-<x>.json next to it, writes record-<x>.json (the complete draw record exactly as
the TypeScript implementation must serialise it) and prints the expectations that
test/draw/vectors.test.ts spells out literally. Run from anywhere:  python3 test/draw/vectors/make_vectors.py
Written from the published algorithm, not from the TypeScript code.
"""
import glob
import json
import os

from drawspec import STRATA, bkey, canonical, digest_lines, match, print_targets, sampling, select, sha, results, strata_freeze, write_record

HERE = os.path.dirname(os.path.abspath(__file__))


def run(fixture_path):
    fx = json.load(open(fixture_path, encoding='utf-8'))
    pool = fx['pool']
    unit_of = {i['id']: i['unit'] for i in pool['inspectors']}
    area_members = {a['name']: a['inspectors'] for a in pool['areas']}

    # 1. freeze: pool lines sorted by USCC, eligibility lines
    cands = sorted(pool['candidates'], key=lambda c: bkey(c['uscc']))
    pool_lines = [f"{c['uscc']},{c['stratum']}" for c in cands]
    used_areas = sorted({c['area'] for c in cands}, key=bkey)
    area_index = {n: k for k, n in enumerate(used_areas)}
    members = {n: sorted(set(area_members[n]), key=bkey) for n in used_areas}
    insp_ids = sorted({i for n in used_areas for i in members[n]}, key=bkey)
    for c in cands:
        c['ex'] = sorted({i for i in c.get('excluded', []) if i in members[c['area']]}, key=bkey)
    elig_lines = [f"insp,{i},{unit_of[i]}" for i in insp_ids]
    elig_lines += [f"area,{k},{';'.join(members[n])},{n}" for k, n in enumerate(used_areas)]
    elig_lines += [f"cand,{area_index[c['area']]},{';'.join(c['ex'])}" for c in cands]
    pool_digest = digest_lines(pool_lines)
    elig_digest = digest_lines(elig_lines)

    counts = {s: sum(1 for c in cands if c['stratum'] == s) for s in STRATA}
    ratios, to_draw, joint, k = sampling(counts, fx['ratiosBp'], fx['minTeamSize'], fx['jointUnits'])
    witnesses = sorted(fx['witnesses'], key=lambda w: w['id'].encode())
    system = fx['system']
    beacon = fx['beacon']
    freeze = {
        'algorithm': 'suiji-draw-v1',
        'taskId': fx['taskId'],
        'frozenAt': fx['frozenAt'],
        'drawTime': fx['drawTime'],
        'poolDigest': pool_digest,
        'eligibilityDigest': elig_digest,
        'candidates': len(cands),
        'inspectors': len(insp_ids),
        'areas': len(used_areas),
        'strata': strata_freeze(counts, ratios, to_draw),
        'team': {'minSize': fx['minTeamSize'], 'size': k, 'jointUnits': joint},
        'witnesses': [{'id': w['id'], 'commitment': sha(w['secret'].encode('utf-8'))} for w in witnesses],
        'systemCommitment': sha(bytes.fromhex(system)),
        'beacon': {'source': beacon['source'], 'round': beacon['round']} if beacon else None,
    }
    freeze_digest = sha(canonical(freeze))

    # 2. seed
    reveals = [w['secret'] for w in witnesses] + [system]
    seed_text = 'suiji-draw-v1\n' + fx['taskId'] + '\n' + pool_digest + '\n' + elig_digest + '\n' + '\n'.join(reveals) + '\n' + (beacon['value'] if beacon else '')
    seed = sha(seed_text.encode('utf-8'))

    # 3. selection
    prio = {c['uscc']: sha((seed + ':' + c['uscc']).encode()) for c in cands}
    chosen = select({s: [c for c in cands if c['stratum'] == s] for s in STRATA}, lambda c: prio[c['uscc']], to_draw)

    # 4. matching
    matching, teams, skips = match(chosen, used_areas, members, unit_of, joint, k, seed)
    targets = [{'uscc': c['uscc'], 'stratum': c['stratum'], 'area': c['area'], 'priority': prio[c['uscc']], 'leader': team[0], 'team': team}
               for c, team in zip(chosen, teams)]

    record = {
        'algorithm': 'suiji-draw-v1',
        'recordVersion': 1,
        'taskId': fx['taskId'],
        'freezeDigest': freeze_digest,
        'freeze': freeze,
        'reveals': {'witnesses': [{'id': w['id'], 'secret': w['secret']} for w in witnesses], 'system': system, 'beacon': beacon['value'] if beacon else None},
        **results(seed, counts, ratios, to_draw, matching, targets, {'pool': pool_lines, 'eligibility': elig_lines}),
    }
    out = fixture_path.replace('fixture-', 'record-')
    write_record(out, record)

    print('==', os.path.basename(fixture_path), '->', os.path.basename(out))
    print('poolDigest       ', pool_digest)
    print('eligibilityDigest', elig_digest)
    print('freezeDigest     ', freeze_digest)
    print('seed             ', seed)
    print('shares           ', [(a['area'], a['share']) for a in matching['areas']], 'capYields', matching['capYields'], 'capped skips', skips)
    print('caps / loads     ', {i['id']: (i['cap'], i['load']) for i in matching['inspectors']})
    print_targets(targets)


if __name__ == '__main__':
    for path in sorted(glob.glob(os.path.join(HERE, 'fixture-*.json'))):
        run(path)
