"""The training text: the fortune-cookie files of Debian's `fortunes` and `fortunes-min` packages
(BSD licence; /usr/share/doc/fortunes-min/copyright), one document per fortune."""
from pathlib import Path

FORTUNE_DIR = Path("/usr/share/games/fortunes")
# The files of Debian 12's fortunes and fortunes-min, named so that other installed collections
# (fortunes-off, translations) never change the corpus. Left out: pictures (ascii-art), chat logs
# and code (debian, knghtbrd, linux, perl), Zippy's shouting (zippy) and one unsplit book
# (pratchett).
FILES = ("art", "computers", "cookie", "definitions", "disclaimer", "drugs", "education", "ethnic", "food",
         "fortunes", "goedel", "humorists", "kids", "law", "linuxcookie", "literature", "love", "magic",
         "medicine", "men-women", "miscellaneous", "news", "paradoxum", "people", "pets", "platitudes",
         "politics", "riddles", "science", "songs-poems", "sports", "startrek", "tao", "translate-me",
         "wisdom", "work")


def tidy(text):
    """Each line's runs of blanks (tabs, the indentation of attributions) as one space; no blank
    lines at either end."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(lines).strip("\n")


def fortunes():
    """Every fortune of FILES in order, tidied; those with non-ASCII text are left out (the
    tokenizer's pre-tokenizer is spelled for ASCII, bpe.py)."""
    out = []
    for name in FILES:
        path = FORTUNE_DIR / name
        if not path.is_file():
            raise SystemExit(f"{path} is missing: install Debian's fortunes and fortunes-min packages")
        for raw in path.read_bytes().split(b"\n%\n"):
            if not raw.isascii():
                continue
            text = tidy(raw.decode("ascii").removesuffix("\n%"))
            if text and all(c == "\n" or " " <= c <= "~" for c in text):
                out.append(text)
    return out
