"""Every colour pair of every theme is readable: WCAG AA contrast (4.5:1) computed from
the theme tables; NO_COLOR's styles name no colour; `--theme light` reaches the game."""

from __future__ import annotations

import pytest

from engine.ui.theme import MONO, THEMES, game_style, replay_style

AA = 4.5


def luminance(colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colours(style: str) -> dict[str, str]:
    out = {}
    for word in style.split():
        if word.startswith(("fg:", "bg:")):
            out[word[:2]] = word[3:]
    return out


def drawn_pair(theme: dict[str, str], name: str) -> tuple[str, str]:
    """The (text, background) colours a class is drawn in: its own, else its parent's
    (the status bar for status.*, else the screen), reverse video swapping them."""
    parent = "status" if name.startswith("status.") else "screen"
    base = colours(theme["screen"])
    if parent != "screen":
        base.update(colours(theme[parent]))
    base.update(colours(theme[name]))
    fg, bg = base["fg"], base["bg"]
    return (bg, fg) if "reverse" in theme[name].split() else (fg, bg)


def test_the_contrast_formula_gives_the_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just below AA


@pytest.mark.parametrize("theme_name", sorted(THEMES))
def test_every_class_of_every_theme_has_aa_contrast(theme_name: str) -> None:
    theme = THEMES[theme_name]
    low = {}
    for name in theme:
        fg, bg = drawn_pair(theme, name)
        ratio = contrast(fg, bg)
        if ratio < AA:
            low[name] = f"{fg} on {bg}: {ratio:.2f}"
    assert low == {}


def test_both_themes_style_the_same_classes() -> None:
    assert set(THEMES["dark"]) == set(THEMES["light"])
    assert luminance(colours(THEMES["light"]["screen"])["bg"]) > 0.9  # a light background
    assert luminance(colours(THEMES["dark"]["screen"])["bg"]) < 0.05


def test_no_color_styles_name_no_colour_but_keep_emphasis_and_the_menu_bar() -> None:
    assert not any("fg:" in style or "bg:" in style for style in MONO.values())
    assert "italic" in MONO["emphasis"] and "reverse" in MONO["choice.selected"]
    assert "reverse" in MONO["status"]


@pytest.mark.parametrize("theme_name", sorted(THEMES))
def test_the_styles_build_for_each_theme_with_and_without_colour(theme_name: str) -> None:
    for color in (True, False):
        game = game_style(theme_name, color)
        attrs = game.get_attrs_for_style_str("class:screen class:choice.selected")
        assert attrs.reverse or attrs.bgcolor  # the highlight is visible either way
        assert replay_style(theme_name, color).get_attrs_for_style_str("class:header").bold


def _used_classes() -> set[str]:
    """Every style class the full-screen modules draw with."""
    import re
    from pathlib import Path

    ui = Path(__file__).resolve().parent.parent / "engine" / "ui"
    found: set[str] = set()
    for module in ui.glob("*.py"):
        found |= set(re.findall(r"class:([a-z][a-z.]*[a-z])", module.read_text(encoding="utf-8")))
    return found


def _hex(colour: str, fallback: str) -> str:
    return "#" + colour if colour and len(colour) == 6 else fallback


@pytest.mark.parametrize("theme_name", sorted(THEMES))
def test_what_is_drawn_has_aa_contrast_with_prompt_toolkits_own_styles_merged_in(
    theme_name: str,
) -> None:
    """The application merges prompt_toolkit's built-in widget styles under ours: a class
    named like one of them (`menu` was) would be drawn in its grey, whatever our table
    says. Every class the screens use is checked as drawn, inside its window's style."""
    from prompt_toolkit.styles import default_ui_style, merge_styles

    style = merge_styles([default_ui_style(), game_style(theme_name)])
    base = colours(THEMES[theme_name]["screen"])
    low = {}
    for name in sorted(_used_classes()):
        parent = "class:screen class:status " if name.startswith("status.") else "class:screen "
        attrs = style.get_attrs_for_style_str(parent + f"class:{name}")
        fg, bg = _hex(attrs.color or "", base["fg"]), _hex(attrs.bgcolor or "", base["bg"])
        if attrs.reverse:
            fg, bg = bg, fg
        if contrast(fg, bg) < AA:
            low[name] = f"{fg} on {bg}: {contrast(fg, bg):.2f}"
    assert "choice" in _used_classes() and "choice.locked" in _used_classes()
    assert low == {}


def test_no_color_draws_every_class_without_a_colour_even_prompt_toolkits_own() -> None:
    from prompt_toolkit.styles import default_ui_style, merge_styles

    style = merge_styles([default_ui_style(), game_style("dark", color=False)])
    coloured = {}
    for name in sorted(_used_classes()):
        attrs = style.get_attrs_for_style_str(f"class:screen class:{name}")
        if attrs.color or attrs.bgcolor:
            coloured[name] = (attrs.color, attrs.bgcolor)
    assert coloured == {}
