"""Which shell blocks run, and the check that keeps them inside their temporary directory.

pytest-codeblocks executes ```sh and ```bash fences as well as ```python. The policy:

* Commands shown to readers for copying (setup, serve, the test command) are ```console blocks
  with a `$ ` prompt: display-only, never run.
* ```bash blocks run, each in a fresh temporary directory, under the same sandbox as the
  Python blocks (timeout, memory limit, no credentials). They exist to show small shell
  demonstrations that stay inside that directory.
* ```sh blocks are rejected: one shell dialect, and an obvious choice for the writer.

A ```bash block passes the check only if every command in it is on ALLOWED and no word
points outside the working directory: no absolute path (except /dev/null), no `~`, no `..`,
no `$HOME`-style variables, no command substitution, no background jobs, no `cd`. The command
is found after `env`'s options and assignments too (`env bash -c ...` runs bash), `python -m`
names a module on PYTHON_MODULES however it is spelled (`-mhttp.server`, `-Im http.server`), and
an allowed command's option that runs another program (`sort --compress-program`) is refused.
An allowlist rather than a denylist: a careless or hostile pull request cannot find a command
the list forgot, and a writer who needs another harmless command adds it here, in review.
"""

from __future__ import annotations

import re
import shlex

from ramverk.pages import page_source

# Commands a ```bash block may run. Each works on files in the current directory only.
ALLOWED = frozenset(
    """
    python python3 echo printf cat ls mkdir touch wc head tail grep sort uniq diff cmp test [ true false
    cp mv rm seq tr cut basename dirname env export set shopt printenv sleep date du stat file nproc
    """.split()
)
# Never, whatever the arguments: listed so the message can say why.
FORBIDDEN = {
    "cd": "changes directory; a block runs where it starts",
    "pushd": "changes directory; a block runs where it starts",
    "popd": "changes directory; a block runs where it starts",
    "sudo": "needs root",
    "su": "needs root",
    "curl": "uses the network",
    "wget": "uses the network",
    "ssh": "uses the network",
    "scp": "uses the network",
    "nc": "uses the network",
    "git": "touches repositories outside the block",
    "pip": "installs packages",
    "apt": "installs packages",
    "apt-get": "installs packages",
    "eval": "runs text as code the check cannot see",
    "source": "runs a file the check cannot see",
    ".": "runs a file the check cannot see",
    "exec": "replaces the shell",
    "chmod": "changes permissions",
    "chown": "changes ownership",
    "nohup": "leaves a process running after the block",
    "kill": "signals processes outside the block",
}
SEPARATORS = {";", "&&", "||", "|", "\n", "(", ")", "{", "}", "!"}
ALLOWED_ABSOLUTE = {"/dev/null", "/dev/stdout", "/dev/stderr"}
# The modules `python -m` may run: none installs, serves or runs the project's tools.
PYTHON_MODULES = frozenset({"json.tool", "timeit", "platform"})
# Options of allowed commands that run another program or change directory, whatever it is.
RUNS_ANOTHER = {"sort": ("--compress-program",), "env": ("-S", "--split-string", "-C", "--chdir")}
HOME_VARS = re.compile(r"\$\{?(HOME|USER|PWD|OLDPWD|TMPDIR|XDG_\w+|GITHUB_\w+|\w*TOKEN\w*|\w*SECRET\w*)\b")


def problems() -> list[str]:
    out = []
    for page in page_source.pages():
        try:
            blocks = page_source.blocks(page)
        except Exception:  # a missing include: the snippets check reports it
            continue
        for block in blocks:
            out.extend(lint_block(page.rel, block.lineno, block.syntax, block.code))
    return out


def lint_block(name: str, lineno: int, syntax: str, code: str) -> list[str]:
    """Problems with one code block (only shell blocks have any), as `file:line: message`."""
    where = f"{name}:{lineno}"
    if syntax == "sh":
        return [f"{where}: ```sh block: write ```bash for a block that runs, or ```console with `$ ` for commands to copy"]
    if syntax != "bash":
        return []
    return [f"{where}: ```bash block {message}" for message in lint_bash(code)]


def lint_bash(code: str) -> list[str]:
    out = []
    if "`" in code or "$(" in code or "<(" in code or ">(" in code:
        out.append("uses command substitution; write each command on its own")
    for m in HOME_VARS.finditer(code):
        out.append(f"uses ${m[1]}, which points outside the block's directory or at credentials")
    if re.search(r"(?<![&>|])&(?![&>])", code):
        out.append("starts a background job (&); it would outlive the block")
    if "<<" in code:
        out.append("uses a here-document; put the text in a file with printf instead")
    try:
        lexer = shlex.shlex(code, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace = " \t\r"  # keep newlines: they separate commands
        lexer.commenters = "#"
        words = list(lexer)
    except ValueError as error:
        return out + [f"does not parse: {error}"]
    for command in _commands(words):
        out.extend(_command_problems(command))
    return list(dict.fromkeys(out))


def _commands(words: list[str]) -> list[list[str]]:
    """The words split into simple commands at separators (redirection operators dropped)."""
    commands: list[list[str]] = [[]]
    for word in words:
        if word in SEPARATORS or set(word) <= set(";&|()"):
            commands.append([])
        elif not set(word) <= set("<>"):
            commands[-1].append(word)
    return [c for c in commands if c]


def _command_problems(words: list[str]) -> list[str]:
    out = []
    while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):  # VAR=value before a command
        out.extend(_path_problems(words[0].split("=", 1)[1]))
        words = words[1:]
    if not words:
        return out
    name, args = words[0], words[1:]
    if name in FORBIDDEN:
        return out + [f"runs `{name}`, which {FORBIDDEN[name]}"]
    if name not in ALLOWED:
        return out + [f"runs `{name}`, which is not on the allowed list in scripts/ramverk/pages/shell_blocks.py"]
    for arg in args:
        if arg.startswith(RUNS_ANOTHER.get(name, ("\0",))):
            out.append(f"uses `{name} {arg}`, which runs another program or leaves the block's directory")
    if name == "env":
        command = _after_env(args)
        if command:  # env runs it: the same rules as for a command of its own
            return out + _command_problems(command)
    if name in ("python", "python3"):
        module = _python_module(args)
        if module is not None and module not in PYTHON_MODULES:
            out.append(f"runs `python -m {module}`; a block may run Python code, not installers, servers or the "
                       f"project's tools (modules allowed: {', '.join(sorted(PYTHON_MODULES))})")
    for arg in args:
        out.extend(_path_problems(arg))
    return out


def _after_env(args: list[str]) -> list[str]:
    """The command `env ARGS` runs (its options and NAME=value assignments skipped), or [] when it only prints."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return args[i + 1:]
        if arg in ("-u", "--unset"):
            i += 2
            continue
        if arg.startswith("-") or re.fullmatch(r"[A-Za-z_]\w*=.*", arg):
            i += 1
            continue
        return args[i:]
    return []


def _python_module(args: list[str]) -> str | None:
    """The module of `python ARGS -m MODULE` however written (`-mX`, `-Im X`), or None when it runs none."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or not arg.startswith("-") or arg.startswith("--"):
            return None  # a script (or the end of the options): no -m
        i += 1
        for j, flag in enumerate(arg[1:], start=1):
            if flag == "c":
                return None  # code follows: python -c CODE
            if flag == "m":
                return arg[j + 1:] or (args[i] if i < len(args) else "")
            if flag in "WX":  # an option with a value: the rest of this word, or the next word
                i += j == len(arg) - 1
                break
    return None


def _path_problems(word: str) -> list[str]:
    out = []
    for part in re.split(r"[=:,]", word):
        if part.startswith("/") and part not in ALLOWED_ABSOLUTE:
            out.append(f"names the absolute path {part!r}; use paths inside the block's directory")
        elif part.startswith("~"):
            out.append(f"names {part!r} in the home directory; use paths inside the block's directory")
        elif ".." in part.split("/"):
            out.append(f"names {part!r}, which climbs out of the block's directory")
    if re.fullmatch(r"-[A-Za-z]*r[A-Za-z]*f[A-Za-z]*|-[A-Za-z]*f[A-Za-z]*r[A-Za-z]*|--no-preserve-root", word):
        out.append(f"uses `{word}`; delete named files only")
    return out


def runnable(syntax: str) -> bool:
    """Whether the tests execute a block of this syntax (after it passed the check)."""
    return syntax == "bash"

