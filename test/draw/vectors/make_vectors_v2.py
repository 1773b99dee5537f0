#!/usr/bin/env python3
"""Independent implementation of suiji-draw-v2 (docs/DRAW.md §10-§17) with hashlib only.

For every v2-fixture-<x>.json next to it, writes v2-record-<x>.json: the complete draw record
exactly as the TypeScript implementation must serialise it. Written from the published
algorithm, not from the TypeScript code. Run:  python3 test/draw/vectors/make_vectors_v2.py

There is no BLS library here: a BLS beacon's randomness is taken as SHA-256(signature), which
is what the record states; checking the signature against the chain's public key (the pairing
equation) is done by the TypeScript verifier (`suiji verify`, @noble/curves). Index-close
randomness is recomputed from the values.
"""
import glob
import json
import os

from drawspec import STRATA, bkey, canonical, digest_lines, match, print_targets, sampling, select, sha, sm3, results, strata_freeze, write_record

HERE = os.path.dirname(os.path.abspath(__file__))


def run(fixture_path):
    fx = json.load(open(fixture_path, encoding='utf-8'))
    pool = fx['pool']
    ps = fx['pseudonyms']  # registry id -> pseudonym (drawn at random in production)
    unit_of = {ps[i['id']]: i['unit'] for i in pool['inspectors']}

    # 1. candidates in USCC order, areas by name, pseudonymised lists
    cands = sorted(pool['candidates'], key=lambda c: bkey(c['uscc']))
    used = sorted({c['area'] for c in cands}, key=bkey)
    area_ix = {n: k for k, n in enumerate(used)}
    all_members = {a['name']: a['inspectors'] for a in pool['areas']}
    members = {n: sorted({ps[i] for i in all_members[n]}, key=bkey) for n in used}
    insp = sorted({i for n in used for i in members[n]}, key=bkey)
    for c in cands:
        c['ex'] = sorted({ps[i] for i in c.get('excluded', []) if ps.get(i) in members[c['area']]}, key=bkey)
        c['k'] = area_ix[c['area']]
        c['text'] = f"{c['uscc']},{c['stratum']},{c['k']},{';'.join(c['ex'])}"
        c['salt'] = fx['salts'][c['uscc']]
        c['c'] = sha(bytes.fromhex(c['salt']) + c['text'].encode('utf-8'))

    # 2. public pool: commitments sorted per stratum; digest over the raw bytes
    lists = {s: sorted(c['c'] for c in cands if c['stratum'] == s) for s in STRATA}
    pool_digest = sha(b''.join(bytes.fromhex(x) for s in STRATA for x in lists[s]))
    elig = [f"insp,{i},{unit_of[i]}" for i in insp] + [f"area,{k},{';'.join(members[n])},{n}" for k, n in enumerate(used)]
    elig_digest = digest_lines(elig)

    counts = {s: len(lists[s]) for s in STRATA}
    ratios, to_draw, joint, k = sampling(counts, fx['ratiosBp'], fx['minTeamSize'], fx['jointUnits'])
    zero = '0' * 64
    freeze = {
        'algorithm': 'suiji-draw-v2',
        'taskId': fx['taskId'],
        'department': fx['department'],
        'round': fx['round'],
        'prev': fx['prev']['freezeDigest'] if fx['prev'] else zero,
        'prevSm3': fx['prev']['freezeDigestSm3'] if fx['prev'] else zero,
        'redrawOf': fx.get('redrawOf'),
        'frozenAt': fx['frozenAt'],
        'drawTime': fx['drawTime'],
        'poolDigest': pool_digest,
        'eligibilityDigest': elig_digest,
        'candidates': len(cands),
        'inspectors': len(insp),
        'areas': len(used),
        'strata': strata_freeze(counts, ratios, to_draw),
        'team': {'minSize': fx['minTeamSize'], 'size': k, 'jointUnits': joint},
        'systemCommitment': sha(bytes.fromhex(fx['system'])),
        'beacons': fx['beacons'],
    }
    freeze_digest, freeze_sm3 = sha(canonical(freeze)), sm3(canonical(freeze))

    # 3. close of witness registration (commitments computed by each witness)
    witnesses = sorted(fx['witnesses'], key=lambda w: bkey(w['id']))
    close = {
        'freezeDigest': freeze_digest,
        'closedAt': fx['closedAt'],
        'witnesses': [{'id': w['id'], 'name': w['name'], 'role': w['role'], 'commitment': sha(w['secret'].encode('utf-8'))} for w in witnesses],
    }
    close_digest, close_sm3 = sha(canonical(close)), sm3(canonical(close))

    # 4. beacons: randomness (BLS: SHA-256 of the signature; the pairing check is the TS verifier's)
    proofs = []
    for spec, p in zip(fx['beacons'], fx['beaconProofs']):
        if spec['source'] == 'index-close':
            values = [{'name': n, 'code': c, 'close': v} for (n, c), v in zip([('上证指数', '000001.SH'), ('深证成指', '399001.SZ')], p['closes'])]
            text = '\n'.join(f"{v['name']}={v['close']}" for v in values)
            proofs.append({'source': 'index-close', 'date': spec['date'], 'values': values, 'enteredBy': p['enteredBy'], 'randomness': sha(text.encode('utf-8'))})
        else:
            proofs.append({'source': spec['source'], 'round': spec['round'], 'signature': p['signature'], 'randomness': sha(bytes.fromhex(p['signature']))})

    # 5. seed
    parts = [w['secret'] for w in witnesses] + [fx['system']] + [p['randomness'] for p in proofs]
    seed = sha(('suiji-draw-v2\n' + freeze_digest + '\n' + close_digest + '\n' + '\n'.join(parts)).encode('utf-8'))

    # 6. selection over the commitments
    prio = {c['c']: sha(seed.encode('ascii') + b':' + bytes.fromhex(c['c'])) for c in cands}
    by_c = {c['c']: c for c in cands}
    chosen = [by_c[x] for x in select(lists, lambda x: prio[x], to_draw)]

    # 7. matching (v1 §5) over the opened entries
    matching, teams, _ = match(chosen, used, members, unit_of, joint, k, seed)
    targets = [{'commitment': c['c'], 'uscc': c['uscc'], 'salt': c['salt'], 'stratum': c['stratum'], 'area': c['area'],
                'exclusions': c['ex'], 'priority': prio[c['c']], 'leader': team[0], 'team': team} for c, team in zip(chosen, teams)]

    record = {
        'algorithm': 'suiji-draw-v2',
        'recordVersion': 2,
        'taskId': fx['taskId'],
        'freezeDigest': freeze_digest,
        'freezeDigestSm3': freeze_sm3,
        'freeze': freeze,
        'closeDigest': close_digest,
        'closeDigestSm3': close_sm3,
        'close': close,
        'reveals': {'witnesses': [{'id': w['id'], 'secret': w['secret']} for w in witnesses], 'system': fx['system'], 'beacons': proofs},
        **results(seed, counts, ratios, to_draw, matching, targets, {'pool': lists, 'eligibility': elig}),
    }
    out = fixture_path.replace('v2-fixture-', 'v2-record-')
    write_record(out, record)
    print('==', os.path.basename(fixture_path), '->', os.path.basename(out))
    print('poolDigest       ', pool_digest)
    print('freezeDigest     ', freeze_digest, 'sm3', freeze_sm3)
    print('closeDigest      ', close_digest)
    print('seed             ', seed)
    print_targets(targets)


if __name__ == '__main__':
    for path in sorted(glob.glob(os.path.join(HERE, 'v2-fixture-*.json'))):
        run(path)
