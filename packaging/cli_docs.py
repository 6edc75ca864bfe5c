#!/usr/bin/env python3
"""The man page (man) or the bash completion (bash) of rbee, from its own --help (CLI11's format),
so that neither can drift from the program: cli_docs.py RBEE {man|bash} OUTPUT VERSION."""
import re
import subprocess
import sys

ENVIRONMENT = [
    ("RBEE_PLUGIN_PATH", "colon-separated folders searched for plugins after --plugin-dir"),
    ("XDG_DATA_HOME", "the user plugin folder is $XDG_DATA_HOME/rbee/plugins (else ~/.local/share/rbee/plugins)"),
    ("XDG_CACHE_HOME", "plugin scan results are cached in $XDG_CACHE_HOME/rbee/plugin-scan.json"),
    ("RBEE_PLUGIN_SCANNER", "the rbee-plugin-scan program that checks each plugin in a process of its own"),
    ("RBEE_PLUGIN_SCAN_TIMEOUT_MS", "how long one plugin's scan may take (default 5000)"),
]


def help_text(rbee, *command):
    out = subprocess.run([rbee, *command, "--help"], capture_output=True, text=True, check=True).stdout
    return out.replace(rbee, "rbee")


def parse(text):
    """{'about', 'usage', 'sections': {name: [(term, description)]}} of one --help page."""
    lines = text.splitlines()
    page = {"about": "", "usage": "", "sections": {}}
    section = None
    for line in lines:
        if line.startswith("Usage: "):
            page["usage"] = line[len("Usage: "):]
        elif re.fullmatch(r"[A-Z][A-Za-z ]*:", line):
            section = page["sections"].setdefault(line[:-1], [])
        elif section is None and line and not page["usage"]:
            page["about"] = line.split(": ", 1)[-1] if line.startswith("rbee: ") else line
        elif section is not None and line.startswith("  ") and line.strip():
            if line.startswith(" " * 30) and section:  # the description of the entry above
                term, desc = section[-1]
                section[-1] = (term, (desc + " " + line.strip()).strip())
            elif len(line) > 30 and line[29] == " ":  # CLI11 pads terms to column 30
                section.append((line[:30].strip(), line[30:].strip()))
            else:  # a longer term: its description follows on the next line
                section.append((line.strip(), ""))
    return page


def option_names(term):
    """'-p,--prompt TEXT Excludes: --ids' -> ['-p', '--prompt']."""
    return [n for n in term.split(" ", 1)[0].split(",") if n.startswith("-")]


def roff(text):
    return text.replace("\\", "\\e").replace("-", "\\-")


def man(rbee, version):
    top = parse(help_text(rbee))
    commands = top["sections"].get("Subcommands", [])
    out = [f'.TH RBEE 1 "" "rbee {version}" "User Commands"', ".SH NAME", f"rbee \\- {roff(top['about'])}",
           ".SH SYNOPSIS", f".B rbee\n{roff(top['usage'][len('rbee '):])}", ".SH OPTIONS"]
    for term, desc in top["sections"].get("Options", []):
        out += [".TP", f".B {roff(term)}", roff(desc)]
    out.append(".SH COMMANDS")
    for name, desc in commands:
        page = parse(help_text(rbee, name))
        out += [".SS " + roff(name), roff(desc), ".PP", f".B {roff(page['usage'])}"]
        for section in ("Positionals", "Options"):
            for term, text in page["sections"].get(section, []):
                if "--help" not in option_names(term):
                    out += [".TP", f".B {roff(term)}", roff(text)]
    out.append(".SH ENVIRONMENT")
    for name, desc in ENVIRONMENT:
        out += [".TP", f".B {name}", roff(desc)]
    out += [".SH FILES", ".TP", ".I <prefix>/lib/rbee/plugins",
            "the plugins installed with rbee (found relative to the rbee program)", ".TP",
            ".I ~/.local/share/rbee/plugins", "the user's own plugins (rbee plugins lists what was found)",
            ".SH SEE ALSO", "The plugin SDK guide: /usr/share/doc/rbee/sdk/README.md (package rbee-dev)."]
    return "\n".join(out) + "\n"


def bash(rbee):
    top = parse(help_text(rbee))
    commands = [name for name, _ in top["sections"].get("Subcommands", [])]
    global_opts = [n for term, _ in top["sections"].get("Options", []) for n in option_names(term)]
    cases = []
    for name in commands:
        page = parse(help_text(rbee, name))
        opts = [n for term, _ in page["sections"].get("Options", []) for n in option_names(term)]
        cases.append(f'    {name}) opts="{" ".join(opts)}" ;;')
    return f"""# bash completion for rbee (generated from rbee --help by packaging/cli_docs.py)
_rbee() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} command="" opts="{" ".join(global_opts)}" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${{COMP_WORDS[i]}} in
      {"|".join(commands)}) command=${{COMP_WORDS[i]}}; break ;;
    esac
  done
  case $command in
{chr(10).join(cases)}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  elif [[ -z $command ]]; then
    COMPREPLY=($(compgen -W "{" ".join(commands)}" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _rbee rbee
"""


def main():
    if len(sys.argv) != 5 or sys.argv[2] not in ("man", "bash"):
        sys.exit("usage: cli_docs.py RBEE {man|bash} OUTPUT VERSION")
    rbee, kind, output, version = sys.argv[1:]
    text = man(rbee, version) if kind == "man" else bash(rbee)
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
