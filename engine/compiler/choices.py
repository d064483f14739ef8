"""What a choice may say beyond id, text, if, do and goto: `once`, `unless`, templates.

Owns: compiling `once: true` (offered until taken once), `unless: COND` with its
`disabled_text:` (shown greyed out, with the reason, while COND holds), and the
`{...}` templates of a choice's or a node's text (`engine.compiler.template`). Functions
over a `Context`; problems are reported, never raised.
"""

from __future__ import annotations

from typing import Any

from engine.compiler.context import Context
from engine.compiler.template import compile_template
from engine.compiler.ytree import YMap
from engine.runtime.text import Template

__all__ = ["choice_extras", "text_template"]


def text_template(ctx: Context, owner: YMap, key: str) -> Template | None:
    """`owner[key]` as a template when it holds braces (None otherwise)."""
    text = owner.get(key)
    if not isinstance(text, str):
        return None
    return compile_template(ctx, text, owner.at(key), owner.val_style.get(key))


def choice_extras(ctx: Context, raw: YMap) -> dict[str, Any]:
    """The keyword arguments of `Choice` for `once`, `unless`, `disabled_text` and the
    text's template; a mistake is reported and the key left out."""
    extras: dict[str, Any] = {"once": raw.get("once") is True}
    template = text_template(ctx, raw, "text")
    if template is not None:
        extras["template"] = template
    has_unless, has_reason = "unless" in raw, "disabled_text" in raw
    if has_unless and not has_reason:
        ctx.error(
            raw.at("unless"),
            "E011",
            f'choice "{raw["id"]}": unless: needs a disabled_text: saying why it cannot be'
            " taken, like disabled_text: The door is locked.",
        )
    elif has_reason and not has_unless:
        ctx.error(
            raw.at("disabled_text"),
            "E011",
            f'choice "{raw["id"]}": disabled_text: needs an unless: condition saying when'
            " the choice is greyed out",
        )
    elif has_unless:
        unless = ctx.compile_condition(raw["unless"], raw, "unless")
        if unless is not None:
            extras["unless"] = unless
            extras["disabled_text"] = str(raw["disabled_text"]).strip()
    return extras
