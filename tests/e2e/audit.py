"""What the browser tests check on every page they visit (issue 18): axe-core finds no serious or
critical violation, nothing is wider than the window, and — for the pages a person looks at in the
README — a viewport screenshot when ``E2E_SCREENSHOTS`` names a folder (``make screenshots``)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Cumulative layout shift of the page, counted from its first paint (layout-shift entries without
# a recent input, as the Web Vitals definition has it). Installed before any script of the page.
CLS_OBSERVER = """
window.__cls = 0;
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (entry) {
      if (entry.hadRecentInput) return;
      window.__cls += entry.value;
      // What moved, to say where a shift comes from when the assertion fails.
      (window.__shifts = window.__shifts || []).push(entry.value.toFixed(3) + " " + (entry.sources || []).map(function (s) {
        var n = s.node; return n ? (n.nodeName + (n.id ? "#" + n.id : "") + (n.className && n.className.baseVal === undefined ? "." + n.className : "")) : "?";
      }).join(","));
    });
  }).observe({type: "layout-shift", buffered: true});
} catch (e) {}
"""


# axe-core gives every result of a rule the rule's own impact (axe.js, _finalizeRuleResult): the
# rules of impact moderate or minor can never report what the journey asserts (0 serious or
# critical, issue 18), so they are switched off; every other rule still runs (one without an
# impact of its own too). tests/e2e/test_audit_browser.py checks that a serious one is still seen.
AXE_RUN = """() => {
  const off = {};
  for (const rule of axe._audit.rules) {
    if (rule.impact === 'moderate' || rule.impact === 'minor') off[rule.id] = {enabled: false};
  }
  return axe.run(document, {resultTypes: ['violations'], rules: off});
}"""


def axe_path() -> Path:
    if not AXE.exists():
        if IN_CI:
            pytest.fail("axe-core is missing: `make test` installs it with npm (package.json).")
        pytest.skip("axe-core is not installed (npm ci)")
    return AXE


@dataclass
class Audit:
    """Collects every page's problems so that one run reports all of them, then fails."""

    shots: Path | None = None
    problems: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    # Seconds spent in each part of the checks, for the journey's printed MEASURES (issue 18).
    seconds: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Audit:
        axe_path()
        folder = os.environ.get("E2E_SCREENSHOTS")
        shots = (
            (ROOT / folder) if folder and not os.path.isabs(folder) else (Path(folder) if folder else None)
        )
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
        return cls(shots=shots)

    def _timed(self, part: str, started: float) -> float:
        now = time.monotonic()
        self.seconds[part] = self.seconds.get(part, 0.0) + now - started
        return now

    def check(self, page, name: str, *, shot: bool = False) -> None:
        started = time.monotonic()
        page.wait_for_load_state("load")
        started = self._timed("load", started)
        width = page.viewport_size["width"]
        label = f"{name} ({width} px, {page.url})"
        self.pages.append(label)
        # Sent to each document once (a second check of the same page reuses it). An init script
        # (once per context) was tried: axe then ran about a third slower, more than it saved.
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(path=str(AXE))
        started = self._timed("axe_inject", started)
        result = page.evaluate(AXE_RUN)
        started = self._timed("axe_run", started)
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                self.problems.append(f"{label}: axe {violation['id']} ({violation['impact']}) {targets}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            wide = page.evaluate(WIDEST)
            self.problems.append(f"{label}: {overflow} px wider than the window ({wide})")
        if shot and self.shots:
            page.evaluate("window.scrollTo(0, 0)")  # the README shows each page from its top
            _save_small_png(page.screenshot(), self.shots / f"e2e-{name}-{width}.png")
        self._timed("overflow_shot", started)

    def expect(self, condition: bool, problem: str) -> bool:
        """A check that must hold but need not stop the journey: what follows is still walked,
        and the test fails at the end with every problem listed."""
        if not condition:
            self.problems.append(problem)
        return condition

    def assert_clean(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def _save_small_png(png: bytes, path: Path) -> None:
    """The viewport only, in 256 colours: a few tens of kilobytes a screenshot in the repository."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    image.save(path, format="PNG", optimize=True)


# The elements that stick out on the right, to say where an overflow comes from.
WIDEST = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))"""


def summary_has_focus(page) -> bool:
    """After a refused POST, the error summary is there and has the focus (RGAA 11.10)."""
    page.wait_for_selector("[data-error-summary]")
    # Playwright's own focus check: a wait_for_function string is eval'd in the page, which the
    # portal's CSP refuses ('unsafe-eval') once it has to poll.
    expect(page.locator("[data-error-summary]").first).to_be_focused()
    return True


def cumulative_layout_shift(page) -> float:
    return page.evaluate("window.__cls || 0")


def scroll_through_previews(page) -> int:
    """Scroll to each preview of the admin's dossier page, as a gestionnaire does, and wait until
    the images have arrived (lazy: they are fetched when they come near the viewport)."""
    previews = page.locator(".piece-preview .preview-box")
    for i in range(previews.count()):
        previews.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('img.preview-box')).every(i => i.complete)",
        timeout=60_000,
    )
    page.evaluate("window.scrollTo(0, 0)")
    return previews.count()


def layout_shifts(page) -> list[str]:
    return page.evaluate("window.__shifts || []")


def navigation_ms(page) -> dict[str, float]:
    """The navigation's timing as the browser measured it (ms from the start of the request)."""
    return page.evaluate(
        """() => { const n = performance.getEntriesByType('navigation')[0];
          return {response: n.responseEnd - n.startTime, dom: n.domContentLoadedEventEnd - n.startTime,
                  load: n.loadEventEnd - n.startTime}; }"""
    )
