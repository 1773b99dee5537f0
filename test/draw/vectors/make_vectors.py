#!/usr/bin/env python3
"""Independent implementation of suiji-draw-v1 (docs/DRAW.md) with hashlib only.

For every fixture-<x>.json next to it, writes record-<x>.json (the complete draw record exactly as
the TypeScript implementation must serialise it) and prints the expectations that
test/draw/vectors.test.ts spells out literally. Run from anywhere:  python3 test/draw/vectors/make_vectors.py
Written from the published algorithm, not from the TypeScript code.
"""
import glob
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
STRATA = ['key', 'A', 'B', 'C', 'D']


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def run(fixture_path):
    fx = json.load(open(fixture_path, encoding='utf-8'))
    pool = fx['pool']
    unit_of = {i['id']: i['unit'] for i in pool['inspectors']}
    area_members = {a['name']: a['inspectors'] for a in pool['areas']}

    # 1. freeze: pool lines sorted by USCC, eligibility lines
    cands = sorted(pool['candidates'], key=lambda c: c['uscc'].encode())
    pool_lines = [f"{c['uscc']},{c['stratum']}" for c in cands]
    used_areas = sorted({c['area'] for c in cands}, key=lambda n: n.encode('utf-8'))
    area_index = {n: k for k, n in enumerate(used_areas)}
    members = {n: sorted(set(area_members[n]), key=lambda s: s.encode()) for n in used_areas}
    insp_ids = sorted({i for n in used_areas for i in members[n]}, key=lambda s: s.encode())
    excluded = []
    for c in cands:
        ex = sorted({i for i in c.get('excluded', []) if i in members[c['area']]}, key=lambda s: s.encode())
        excluded.append(ex)
    elig_lines = [f"insp,{i},{unit_of[i]}" for i in insp_ids]
    elig_lines += [f"area,{k},{';'.join(members[n])},{n}" for k, n in enumerate(used_areas)]
    elig_lines += [f"cand,{area_index[c['area']]},{';'.join(ex)}" for c, ex in zip(cands, excluded)]
    digest_lines = lambda lines: sha(('\n'.join(lines) + '\n').encode('utf-8'))
    pool_digest = digest_lines(pool_lines)
    elig_digest = digest_lines(elig_lines)

    ratios = {'key': 10000, **fx['ratiosBp']}
    counts = {s: sum(1 for c in cands if c['stratum'] == s) for s in STRATA}
    to_draw = {s: min(counts[s], (counts[s] * ratios[s] + 9999) // 10000) for s in STRATA}
    joint = sorted(set(fx['jointUnits']))
    k = max(fx['minTeamSize'], len(joint))
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
        'strata': [{'stratum': s, 'candidates': counts[s], 'ratioBp': ratios[s], 'toDraw': to_draw[s]} for s in STRATA],
        'team': {'minSize': fx['minTeamSize'], 'size': k, 'jointUnits': joint},
        'witnesses': [{'id': w['id'], 'commitment': sha(w['secret'].encode('utf-8'))} for w in witnesses],
        'systemCommitment': sha(bytes.fromhex(system)),
        'beacon': {'source': beacon['source'], 'round': beacon['round']} if beacon else None,
    }
    freeze_digest = sha(json.dumps(freeze, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8'))

    # 2. seed
    reveals = [w['secret'] for w in witnesses] + [system]
    seed_text = 'suiji-draw-v1\n' + fx['taskId'] + '\n' + pool_digest + '\n' + elig_digest + '\n' + '\n'.join(reveals) + '\n' + (beacon['value'] if beacon else '')
    seed = sha(seed_text.encode('utf-8'))

    # 3. selection
    prio = {c['uscc']: sha((seed + ':' + c['uscc']).encode()) for c in cands}
    chosen = []
    for s in STRATA:
        in_s = sorted((c for c in cands if c['stratum'] == s), key=lambda c: prio[c['uscc']])
        chosen += in_s[: to_draw[s]]
    chosen.sort(key=lambda c: prio[c['uscc']])

    # 4. matching
    ex_of = {c['uscc']: ex for c, ex in zip(cands, excluded)}
    # cap of an inspector: 1 + sum over his areas of ceil(seats / inspectors of the area)
    sel_per_area = {n: sum(1 for c in chosen if c['area'] == n) for n in used_areas}
    cap = {i: 1 for i in insp_ids}
    areas_out = []
    for n in used_areas:
        if not sel_per_area[n]:
            continue
        seats = sel_per_area[n] * k
        m = len(members[n])
        share = (seats + m - 1) // m
        for i in members[n]:
            cap[i] += share
        areas_out.append({'area': n, 'selected': sel_per_area[n], 'seats': seats, 'inspectors': m, 'share': share})
    load = {i: 0 for i in insp_ids}
    yields = 0
    skips = 0  # capped inspectors passed over (shows the cap rule is exercised)
    targets = []
    for c in chosen:
        elig = [i for i in members[c['area']] if i not in ex_of[c['uscc']]]
        score = {i: sha((seed + ':' + c['uscc'] + ':' + i).encode()) for i in elig}
        ranked = sorted(elig, key=lambda i: score[i])
        team = []

        def pick(ok):
            nonlocal yields, skips
            fallback = None
            for i in ranked:
                if i in team or not ok(i):
                    continue
                if load[i] < cap[i]:
                    team.append(i)
                    return
                skips += 1
                if fallback is None:
                    fallback = i
            assert fallback is not None, 'infeasible'
            team.append(fallback)
            yields += 1

        for u in joint:
            pick(lambda i, u=u: unit_of[i] == u)
        while len(team) < k:
            pick(lambda i: True)
        team.sort(key=lambda i: score[i])
        for i in team:
            load[i] += 1
        targets.append({'uscc': c['uscc'], 'stratum': c['stratum'], 'area': c['area'], 'priority': prio[c['uscc']], 'leader': team[0], 'team': team})

    record = {
        'algorithm': 'suiji-draw-v1',
        'recordVersion': 1,
        'taskId': fx['taskId'],
        'freezeDigest': freeze_digest,
        'freeze': freeze,
        'reveals': {'witnesses': [{'id': w['id'], 'secret': w['secret']} for w in witnesses], 'system': system, 'beacon': beacon['value'] if beacon else None},
        'seed': seed,
        'strata': [{'stratum': s, 'candidates': counts[s], 'ratioBp': ratios[s], 'selected': to_draw[s]} for s in STRATA],
        'matching': {
            'teamSize': k,
            'jointUnits': joint,
            'capYields': yields,
            'areas': areas_out,
            'inspectors': [{'id': i, 'cap': cap[i], 'load': load[i]} for i in insp_ids],
        },
        'targets': targets,
        'inputs': {'pool': pool_lines, 'eligibility': elig_lines},
    }
    out = fixture_path.replace('fixture-', 'record-')
    with open(out, 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(record, indent=2, ensure_ascii=False) + '\n')

    print('==', os.path.basename(fixture_path), '->', os.path.basename(out))
    print('poolDigest       ', pool_digest)
    print('eligibilityDigest', elig_digest)
    print('freezeDigest     ', freeze_digest)
    print('seed             ', seed)
    print('shares           ', [(a['area'], a['share']) for a in areas_out], 'capYields', yields, 'capped skips', skips)
    print('caps / loads     ', {i: (cap[i], load[i]) for i in insp_ids})
    for t in targets:
        print(f"  ['{t['uscc']}', '{t['stratum']}', '{t['priority'][:16]}', [{', '.join(repr(i) for i in t['team'])}]],")


if __name__ == '__main__':
    for path in sorted(glob.glob(os.path.join(HERE, 'fixture-*.json'))):
        run(path)
