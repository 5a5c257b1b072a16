"""rows.SeenKeys: the file's match keys kept compactly must answer as a dict of them would."""

from __future__ import annotations

import random

from freightcrm.intake.rows import SeenKeys


def test_seen_keys_remember_the_first_row_of_every_key_across_many_batches():
    # given keys arriving in batches, many of them again later, as a dict would keep them
    rnd = random.Random(4)
    seen, expected = SeenKeys(), {}
    row = 0
    for _batch in range(70):  # enough batches for runs to be merged several times over
        digests = []
        fresh: dict[int, int] = {}
        for _ in range(rnd.randrange(1, 60)):
            row += 1
            key = ("name+phone", f"客户{rnd.randrange(2_000)}\t138{rnd.randrange(10):08d}")
            digest = SeenKeys.digest(key)
            digests.append(digest)
            if digest not in expected:
                fresh.setdefault(digest, row)
        # when earlier batches are asked about this batch's keys
        earlier = seen.lookup(digests)
        # then they know exactly the keys they had, with the row that had them first
        assert earlier == {digest: expected[digest] for digest in digests if digest in expected}
        seen.add(fresh)
        expected.update(fresh)
    assert sum(len(keys) for keys, _rows in seen.runs) == len(expected)
    assert all((keys[:-1] < keys[1:]).all() for keys, _rows in seen.runs)
