"""What suiji-draw-v1 and suiji-draw-v2 share (docs/DRAW.md §2.3, §4, §5, §6), written once for
the two independent generators make_vectors.py and make_vectors_v2.py (hashlib only, from the
published algorithm, not from the TypeScript code).
"""
import hashlib
import json

STRATA = ['key', 'A', 'B', 'C', 'D']


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def sm3(b: bytes) -> str:
    return hashlib.new('sm3', b).hexdigest()


def bkey(s: str) -> bytes:
    """Sort key: ascending by UTF-8 bytes."""
    return s.encode('utf-8')


def canonical(doc) -> bytes:
    """Compact canonical JSON (§2.6): sorted keys, no whitespace, UTF-8 unescaped."""
    return json.dumps(doc, sort_keys=True, separators=(',', ':'), ensure_ascii=False).encode('utf-8')


def digest_lines(lines) -> str:
    return sha(''.join(l + '\n' for l in lines).encode('utf-8'))


def sampling(counts, ratios_bp, min_team, joint_units):
    """§2.3: per-stratum ratios and n_s = ceil(N_s × ratio / 10000); joint units sorted; team size k."""
    ratios = {'key': 10000, **ratios_bp}
    to_draw = {s: min(counts[s], (counts[s] * ratios[s] + 9999) // 10000) for s in STRATA}
    joint = sorted(set(joint_units), key=bkey)
    return ratios, to_draw, joint, max(min_team, len(joint))


def strata_freeze(counts, ratios, to_draw):
    return [{'stratum': s, 'candidates': counts[s], 'ratioBp': ratios[s], 'toDraw': to_draw[s]} for s in STRATA]


def strata_selected(counts, ratios, to_draw):
    return [{'stratum': s, 'candidates': counts[s], 'ratioBp': ratios[s], 'selected': to_draw[s]} for s in STRATA]


def select(groups, prio, to_draw):
    """§4: per stratum the n_s entries with the smallest priority; then all in ascending priority."""
    chosen = []
    for s in STRATA:
        chosen += sorted(groups[s], key=prio)[: to_draw[s]]
    return sorted(chosen, key=prio)


def match(chosen, areas, members, unit_of, joint, k, seed):
    """§5 over the chosen entries (ascending priority), each a dict with 'uscc', 'area' and 'ex'
    (its excluded ids). Returns the area shares, caps, loads, cap yields, capped inspectors passed
    over (shows the cap rule is exercised) and each entry's team (ascending score)."""
    per_area = {n: sum(1 for c in chosen if c['area'] == n) for n in areas}
    insp = sorted({i for n in areas for i in members[n]}, key=bkey)
    cap = {i: 1 for i in insp}
    areas_out = []
    for n in areas:
        if not per_area[n]:
            continue
        seats = per_area[n] * k
        m = len(members[n])
        share = (seats + m - 1) // m
        for i in members[n]:
            cap[i] += share
        areas_out.append({'area': n, 'selected': per_area[n], 'seats': seats, 'inspectors': m, 'share': share})
    load = {i: 0 for i in insp}
    yields = 0
    skips = 0
    teams = []
    for c in chosen:
        score = {i: sha((seed + ':' + c['uscc'] + ':' + i).encode()) for i in members[c['area']] if i not in c['ex']}
        ranked = sorted(score, key=lambda i: score[i])
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
            team.append(fallback)  # a cap yield
            yields += 1

        for u in joint:
            pick(lambda i, u=u: unit_of[i] == u)
        while len(team) < k:
            pick(lambda i: True)
        team.sort(key=lambda i: score[i])
        for i in team:
            load[i] += 1
        teams.append(team)
    matching = {'teamSize': k, 'jointUnits': joint, 'capYields': yields, 'areas': areas_out,
                'inspectors': [{'id': i, 'cap': cap[i], 'load': load[i]} for i in insp]}
    return matching, teams, skips


def results(seed, counts, ratios, to_draw, matching, targets, inputs):
    """§6: the record's fields from the seed on (both versions; v2 §16 adds to the targets)."""
    return {'seed': seed, 'strata': strata_selected(counts, ratios, to_draw), 'matching': matching, 'targets': targets, 'inputs': inputs}


def write_record(path, record):
    """§6: two-space indentation, non-ASCII unescaped, final newline."""
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(record, indent=2, ensure_ascii=False) + '\n')


def print_targets(targets):
    for t in targets:
        print(f"  ['{t['uscc']}', '{t['stratum']}', '{t['priority'][:16]}', [{', '.join(repr(i) for i in t['team'])}]],")
