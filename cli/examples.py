"""The examples shown at the end of each command's ``--help`` (one command a line)."""

from __future__ import annotations

EXAMPLES: dict[str, str] = {
    "thymoscope": """
thymoscope diagnose study.yaml
thymoscope diagnose studies/ -o report.html
thymoscope compare --pair chb-end-vs-12-months
thymoscope init my-study.yaml
thymoscope completion bash >> ~/.bashrc
""",
    "diagnose": """
thymoscope diagnose study.yaml
thymoscope diagnose studies/ -o report.html
thymoscope diagnose sheet.xlsx -o results.csv
cat study.yaml | thymoscope diagnose -
thymoscope diagnose studies/ -f json -o - | jq .
thymoscope diagnose studies/ -q --fail-on major
thymoscope diagnose studies/ --brief
thymoscope diagnose a.yaml --what-if design.type=rct
""",
    "review": """
thymoscope review studies/
thymoscope review sheet.csv --by design.blinding
thymoscope review studies/ -o review.html
thymoscope review studies/ --regress covariates.X --hksj
""",
    "compare": """
thymoscope compare a.yaml b.yaml
thymoscope compare --pair chb-end-vs-12-months
thymoscope compare studies/ --brief
thymoscope compare sheet.xlsx -f html -o pairs.html
thymoscope compare --list-pairs
""",
    "ask": """
thymoscope ask --save my-study.yaml
thymoscope ask --resume my-study.yaml
""",
    "explain": """
thymoscope explain study.yaml imprecise-result
thymoscope explain study.yaml chb-monotherapy
""",
    "rules": """
thymoscope rules
thymoscope rules dose-outside-usual-range
thymoscope rules -f md -o rules.md
""",
    "schema": """
thymoscope schema -o study.schema.json
thymoscope schema --report
""",
    "init": """
thymoscope init my-study.yaml
thymoscope init --sheet extraction.xlsx
thymoscope init > my-study.yaml
""",
    "demo": """
thymoscope demo
thymoscope demo chb-rct-end-of-therapy
thymoscope demo --quiz
""",
    "completion": """
thymoscope completion bash >> ~/.bashrc
thymoscope completion zsh > ~/.zfunc/_thymoscope
thymoscope completion fish | source
""",
}
