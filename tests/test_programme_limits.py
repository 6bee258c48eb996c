"""Programme expressions and YAML with limits (issue 16, finding 7).

A 60,000-term ``and`` (1.44 MB) took 324 s to save; very deep expressions or YAML gave 500 in
the web app and tracebacks in the CLI. Each is now refused at once with a message naming the
count and the limit, and the CLI prints one line and exits with code 2.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from setara.cli import main
from setara.errors import ReadError
from setara.programmes import ExpressionError, read_programmes, read_scenario
from setara.programmes.expressions import (
    MAX_EXPRESSION_CHARS,
    MAX_EXPRESSION_DEPTH,
    MAX_EXPRESSION_TERMS,
    parse_expression,
)
from setara.programmes.templates import template_names
from setara.programmes.yaml_text import MAX_YAML_CHARS, MAX_YAML_DEPTH, read_yaml

# Refusing must not depend on the input's size: a second is generous on a loaded 2-core machine
# (the 60,000-term case took 324 s before the limits).
QUICK_SECONDS = 1.0

HUGE_AND = " and ".join(f"size_{i:05d} >= {i:05d}" for i in range(60_000))  # 1.44 MB
PROGRAMME = "id: grant\nunit: household\nbenefit: {{type: flat, amount: 1}}\neligibility: {rule}\n"


def _refused(call: object, error: type[Exception], match: str) -> None:
    start = time.perf_counter()
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
    assert time.perf_counter() - start < QUICK_SECONDS


def test_the_huge_and_is_refused_quickly() -> None:
    assert len(HUGE_AND) > 1_400_000
    _refused(
        lambda: parse_expression(HUGE_AND, where="programme 'grant' eligibility"),
        ExpressionError,
        rf"programme 'grant' eligibility: the expression has {len(HUGE_AND):,} characters; "
        rf"at most {MAX_EXPRESSION_CHARS:,}",
    )
    _refused(
        lambda: read_programmes(PROGRAMME.format(rule=HUGE_AND)),
        ReadError,
        rf"programme text has [\d,]+ characters; at most {MAX_YAML_CHARS:,}",
    )


@pytest.mark.parametrize(
    "text,match",
    [
        (" and ".join(["a > 1"] * 400), f"has 1,201 terms; at most {MAX_EXPRESSION_TERMS:,}"),
        ("not " * 2_000 + "x", f"terms; at most {MAX_EXPRESSION_TERMS:,}"),
        ("+".join(["a"] * 150), f"nested more than {MAX_EXPRESSION_DEPTH} levels"),
        ("least(" * 150 + "a" + ", 1)" * 150, f"nested more than {MAX_EXPRESSION_DEPTH} levels"),
        ("-" * 9_000 + "x", "nested too deeply to read|nested more than"),
        ("(" * 300 + "x" + ")" * 300, "too many nested parentheses"),
    ],
    ids=["terms", "not-chain", "long-sum", "deep-calls", "deep-signs", "parentheses"],
)
def test_limits_name_the_count(text: str, match: str) -> None:
    _refused(lambda: parse_expression(text), ExpressionError, match)


def test_messages_quote_long_expressions_shortened() -> None:
    text = "age >= 1 and " * 150 + "open('x')"
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert len(str(caught.value)) < 400
    assert "more characters" in str(caught.value)


def test_real_rules_stay_within_the_limits() -> None:
    codes = ", ".join(str(1100 + i) for i in range(514))
    assert parse_expression(f"regency_code in [{codes}]").names == frozenset({"regency_code"})
    parse_expression("+".join(["a"] * 90))
    for name in template_names():
        assert read_programmes([{"template": name}])


@pytest.mark.parametrize(
    "text,match",
    [
        ("a: " + "[" * 10_000 + "]" * 10_000, f"more than {MAX_YAML_DEPTH} levels deep"),
        ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)), "levels deep"),
        ("a: &x [1]\n" + "".join(f"b{i}: *x\n" for i in range(200)), "aliases"),
        ("a: " + "9" * 5_000, "cannot be read: Exceeds the limit"),
        ("a: [unclosed\n", "not valid YAML at line 2"),
    ],
    ids=["flow-depth", "block-depth", "aliases", "huge-int", "syntax"],
)
def test_yaml_limits(text: str, match: str) -> None:
    _refused(lambda: read_yaml(text, what="programme text"), ReadError, match)


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    "content,match",
    [
        (PROGRAMME.format(rule=HUGE_AND), "characters; at most 500,000"),
        (PROGRAMME.format(rule="+".join(["a"] * 150) + " > 1"), "levels deep"),
        (PROGRAMME.format(rule=" and ".join(["a > 1"] * 400)), "terms; at most"),
        ("programmes: " + "[" * 5_000 + "]" * 5_000, "levels deep"),
    ],
    ids=["huge-and", "deep-expression", "many-terms", "deep-yaml"],
)
def test_cli_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, match: str
) -> None:
    programme = tmp_path / "programme.yaml"
    programme.write_text(content)
    code, err = _cli(["simulate", str(programme), "demo:2000"], capsys)
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1, err[:500]
    assert "Traceback" not in err
    assert match in err
    # The same through a scenario file.
    base = tmp_path / "base.yaml"
    base.write_text(PROGRAMME.format(rule="True"))
    code, err = _cli(["simulate", str(base), "demo:2000", "--scenario", str(programme)], capsys)
    assert code == 2 and err.count("\n") == 1 and match in err


def test_scenario_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("scenario: x\nprogrammes: " + "[" * 100 + "]" * 100)
    with pytest.raises(ReadError, match=r"scenario file '.*deep\.yaml' nests"):
        read_scenario(path)
    with pytest.raises(ReadError, match="cannot read scenario file"):
        read_scenario(tmp_path / "missing.yaml")
