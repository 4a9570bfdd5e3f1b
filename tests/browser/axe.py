"""axe-core in the page under test: WCAG 2.2 AA violations, counted by impact.

The vendored axe-core (tests/browser/vendor/axe-core, from the npm registry) is added to the
page as a script tag by Playwright. The app's Content-Security-Policy forbids inline script, so
the pages checked here are opened in a browser context made with ``bypass_csp=True`` (the
``axe_page`` fixture of tests/browser/test_accessibility.py); every other browser test keeps
the policy and fails on its console errors.
"""
from collections import Counter
from pathlib import Path

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
IMPACTS = ("critical", "serious", "moderate", "minor")


def axe_violations(page, *, exclude=()) -> list[dict]:
    """Run axe-core on the current page with the WCAG 2.2 AA tags; return its violations.

    Each violation is axe's own result (``id``, ``impact``, ``help``, ``nodes`` with their
    ``target`` selectors and ``failureSummary``). ``exclude`` lists CSS selectors to leave out.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async ([tags, exclude]) => {
          const context = exclude.length ? {exclude: exclude.map(s => [s])} : document;
          const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
          const result = await window.axe.run(context, options);
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 160), summary: n.failureSummary})),
          }));
        }""",
        [WCAG_TAGS, list(exclude)],
    )


def count_by_impact(violations) -> Counter:
    """Count the failing elements per impact (one violation may fail on many elements)."""
    counts = Counter()
    for violation in violations:
        counts[violation["impact"] or "minor"] += len(violation["nodes"])
    return counts


def describe(violations, impacts=("critical", "serious")) -> list[str]:
    """One line per violation of the given impacts, with the first few failing elements."""
    lines = []
    for violation in violations:
        if violation["impact"] not in impacts:
            continue
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:4])
        first = " ".join(violation["nodes"][0]["summary"].split())[:300] if violation["nodes"] else ""
        lines.append(f"{violation['impact']} {violation['id']} ×{len(violation['nodes'])}: {targets} ({first})")
    return lines


def offscreen_controls(page) -> dict:
    """At the current width: how far the page scrolls sideways, visible buttons or links past its edge,
    and controls smaller than a 44 px touch target (``small_targets``).

    A control counts when it is visible (has a box, not hidden) and its right edge passes the
    viewport's width, or its left edge is below 0, unless it sits in a box that scrolls or clips
    it on purpose (a collapsed menu is hidden, so it does not count).
    """
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const overflow = document.documentElement.scrollWidth - width;
          const out = [];
          for (const el of document.querySelectorAll('a[href], button, input[type=submit], [role=button], .btn')) {
            const box = el.getBoundingClientRect();
            const style = getComputedStyle(el);
            if (!box.width || !box.height || style.visibility === 'hidden') continue;
            if (el.closest('.visually-hidden, .visually-hidden-focusable')) continue;
            let clipped = false;  // inside a box clipped to nothing (a header kept for screen readers only)
            for (let p = el; p && p !== document.body; p = p.parentElement) {
              const ps = getComputedStyle(p);
              if (ps.clip === 'rect(0px, 0px, 0px, 0px)' || ps.display === 'none') { clipped = true; break; }
            }
            if (clipped) continue;
            if (box.right <= width + 1 && box.left >= -1) continue;
            out.push(el.tagName.toLowerCase() + ' "' + (el.textContent || el.value || '').trim().slice(0, 30)
                     + '" at ' + Math.round(box.left) + '..' + Math.round(box.right));
          }
          // Touch targets: buttons, links styled as controls and form fields at least 44 px high and wide.
          const small = [];
          for (const el of document.querySelectorAll(
              'button, .btn, .nav-link, .page-link, .dropdown-item, select, textarea, '
              + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])')) {
            const box = el.getBoundingClientRect();
            if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
            if (el.closest('.visually-hidden, .visually-hidden-focusable, .dropdown-menu:not(.show)')) continue;
            if (box.height < 43.5 || box.width < 43.5) {
              const text = (el.textContent || el.value || el.name || '').trim().slice(0, 30);
              small.push(el.tagName.toLowerCase() + ' "' + text + '" ' + Math.round(box.width) + 'x' + Math.round(box.height));
            }
          }
          return {overflow, offscreen: out, small_targets: small};
        }"""
    )
