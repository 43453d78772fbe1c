"""R6 and R7 per listener-episode, compiled: the window rules are sequential (each request depends on the
union so far), so they run as loops, in numba, over arrays sorted by (listener-episode, ts, request_id).

Intervals are half-open [start, end) byte ranges; an empty one (end <= start) adds nothing. A union is kept
as sorted, disjoint, non-touching intervals in a work buffer.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from earmark.downloads.reasons import BELOW_THRESHOLD, COUNTED, DUPLICATE_IN_WINDOW

DAY_MS = 86_400_000
NORMAL, CARRIED_PENDING, CARRIED_OPEN = 0, 1, 2  # kinds of rows (counted.py explains the carried ones)


@njit(cache=True, nogil=True)
def _add(us, ue, m, s, e):
    """Add [s, e) to the union us/ue[:m]; returns the new m."""
    if e <= s:
        return m
    i = 0
    while i < m and ue[i] < s:  # intervals wholly before (not touching)
        i += 1
    j = i
    ns, ne = s, e
    while j < m and us[j] <= e:  # overlapping or touching: merged into one
        if us[j] < ns:
            ns = us[j]
        if ue[j] > ne:
            ne = ue[j]
        j += 1
    removed = j - i
    if removed == 0:
        for k in range(m, i, -1):
            us[k] = us[k - 1]
            ue[k] = ue[k - 1]
        us[i] = ns
        ue[i] = ne
        return m + 1
    us[i] = ns
    ue[i] = ne
    for k in range(j, m):
        us[k - removed + 1] = us[k]
        ue[k - removed + 1] = ue[k]
    return m - removed + 1


@njit(cache=True, nogil=True)
def _size(us, ue, m):
    total = 0
    for k in range(m):
        total += ue[k] - us[k]
    return total


@njit(cache=True, nogil=True)
def fixed_windows(group, day, start, end, threshold, reason, download):
    """Fixed (UTC day) windows over rows sorted by (listener-episode, ts, request_id); group[i] numbers the
    listener-episode. Writes reason[i] and download[i] (the qualifying row's index, or -1)."""
    n = group.shape[0]
    us = np.empty(n + 1, np.int64)
    ue = np.empty(n + 1, np.int64)
    lo = 0
    while lo < n:
        hi = lo + 1
        while hi < n and group[hi] == group[lo] and day[hi] == day[lo]:
            hi += 1
        m = 0
        qualified = -1
        for i in range(lo, hi):
            if qualified >= 0:
                reason[i] = DUPLICATE_IN_WINDOW
                download[i] = qualified
                continue
            m = _add(us, ue, m, start[i], end[i])
            if _size(us, ue, m) >= threshold[i]:
                qualified = i
                for k in range(lo, i + 1):
                    reason[k] = COUNTED
                    download[k] = i
        if qualified < 0:
            for k in range(lo, hi):
                reason[k] = BELOW_THRESHOLD
                download[k] = -1
        lo = hi


@njit(cache=True, nogil=True)
def rolling_windows(group, ts, kind, start, end, threshold, reason, download):
    """Rolling (24 h from the qualifying request) windows, R6, over rows sorted by (listener-episode, ts,
    request_id). A CARRIED_OPEN row opens a download at its ts (one that an earlier day qualified); a
    CARRIED_PENDING row joins the pending list without qualifying (an earlier day's request still waiting)."""
    n = group.shape[0]
    us = np.empty(n + 1, np.int64)
    ue = np.empty(n + 1, np.int64)
    pending = np.empty(n + 1, np.int64)
    lo = 0
    while lo < n:
        hi = lo + 1
        while hi < n and group[hi] == group[lo]:
            hi += 1
        opened = -1
        opened_at = 0
        npend = 0
        m = 0
        for i in range(lo, hi):
            t = ts[i]
            if kind[i] == CARRIED_OPEN:
                opened = i
                opened_at = t
                reason[i] = COUNTED
                download[i] = i
                continue
            if opened >= 0 and t < opened_at + DAY_MS:
                reason[i] = DUPLICATE_IN_WINDOW
                download[i] = opened
                continue
            opened = -1
            kept = 0
            for k in range(npend):
                p = pending[k]
                if ts[p] > t - DAY_MS:
                    pending[kept] = p
                    kept += 1
                else:
                    reason[p] = BELOW_THRESHOLD
                    download[p] = -1
            if kept < npend:  # something left the list: rebuild the union from what is still pending
                npend = kept
                m = 0
                for k in range(npend):
                    m = _add(us, ue, m, start[pending[k]], end[pending[k]])
            pending[npend] = i
            npend += 1
            m = _add(us, ue, m, start[i], end[i])
            if kind[i] == NORMAL and _size(us, ue, m) >= threshold[i]:
                opened = i
                opened_at = t
                for k in range(npend):
                    reason[pending[k]] = COUNTED
                    download[pending[k]] = i
                npend = 0
                m = 0
        for k in range(npend):
            reason[pending[k]] = BELOW_THRESHOLD
            download[pending[k]] = -1
        lo = hi


@njit(cache=True, nogil=True)
def deliveries(order, download, start, end, episode, ad_offsets, ad_first, ad_end, union_bytes, members,
               ad_count):
    """R7 for every download at once. `order` lists the member rows (counted and duplicate_in_window) sorted
    by download, i.e. by the qualifying row's index q. Writes, at q: the union B's size, the number of
    member rows and the ads of the episode wholly inside B; returns the delivered (q, ad) pairs.
    An episode's ads are ad_offsets[e]..ad_offsets[e + 1] in ad_first/ad_end ([first, end) bytes)."""
    n = order.shape[0]
    us = np.empty(n + 1, np.int64)
    ue = np.empty(n + 1, np.int64)
    found_q = np.empty(1024, np.int64)
    found_ad = np.empty(1024, np.int64)
    nfound = 0
    lo = 0
    while lo < n:
        q = download[order[lo]]
        hi = lo + 1
        while hi < n and download[order[hi]] == q:
            hi += 1
        m = 0
        for k in range(lo, hi):
            r = order[k]
            m = _add(us, ue, m, start[r], end[r])
        union_bytes[q] = _size(us, ue, m)
        members[q] = hi - lo
        ep = episode[q]
        delivered = 0
        for a in range(ad_offsets[ep], ad_offsets[ep + 1]):
            s = ad_first[a]
            e = ad_end[a]
            if e <= s:
                continue
            for k in range(m):
                if us[k] > s:
                    break
                if e <= ue[k]:
                    delivered += 1
                    if nfound == found_q.shape[0]:
                        found_q = np.concatenate((found_q, np.empty(nfound, np.int64)))
                        found_ad = np.concatenate((found_ad, np.empty(nfound, np.int64)))
                    found_q[nfound] = q
                    found_ad[nfound] = a
                    nfound += 1
                    break
        ad_count[q] = delivered
        lo = hi
    return found_q[:nfound], found_ad[:nfound]
