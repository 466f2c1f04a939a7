"""Reading people's YAML files: booleans as people mean them, and the line of a key for errors.

YAML 1.1 (PyYAML's default) reads on/off/yes/no/y/n as booleans, so a coupon written
`{threshold: 100, off: 20}` arrives with a key False, and a product named "No" becomes a
boolean. `PlainLoader` keeps only true/false as booleans (as YAML 1.2 does); a field that
wants a boolean still accepts "yes" because pydantic coerces it there, and only there."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import yaml

_BOOL_TAG = "tag:yaml.org,2002:bool"
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: a 10,000-product file parses in seconds


class PlainLoader(_Base):  # type: ignore[misc, valid-type]
    """Safe loader: only true/false are booleans, decimals stay exact, duplicate keys are refused."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN201 - PyYAML's signature
        # PyYAML keeps the last of two equal keys without a word; a second `price:` must not win silently.
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *base` keys are meant to be overridden
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node)
            except TypeError:
                continue  # unhashable keys: the base constructor reports them
            if first is not key_node:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice (first on line {first.start_mark.line + 1})", key_node.start_mark
                )
        return super().construct_mapping(node, deep=deep)

    def construct_exact_float(self, node):  # noqa: ANN001, ANN201
        # 89.9 as a float is 89.900000000000005...; prices must stay what was written.
        text = self.construct_scalar(node).replace("_", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return self.construct_yaml_float(node)
        return value if value.is_finite() else self.construct_yaml_float(node)


PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PlainLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
PlainLoader.add_constructor("tag:yaml.org,2002:float", PlainLoader.construct_exact_float)


def load_plain(text: str):  # noqa: ANN201 - any YAML value
    return yaml.load(text, Loader=PlainLoader)  # noqa: S506 - PlainLoader is a SafeLoader


def compose_plain(text: str):  # noqa: ANN201 - yaml node
    """The node tree (with line marks) of the text, resolved the same way as `load_plain`."""
    return yaml.compose(text, Loader=PlainLoader)  # noqa: S506


def line_of(node, loc) -> int:  # noqa: ANN001 - yaml node, error location
    """1-based line of the deepest YAML node on the error's path."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == part), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line
