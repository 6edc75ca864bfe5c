"""A byte-level BPE tokenizer as GPT-2 and Hugging Face tokenizers define it: text split by GPT-2's
pre-tokenizer regex, each piece's UTF-8 bytes spelled as printable characters, merges learnt from
pair counts. Learns the merges, encodes text, and writes tokenizer.json."""
import heapq
import re
from collections import Counter, defaultdict

# GPT-2's pre-tokenizer regex with \p{L} and \p{N} spelled for ASCII: on ASCII text (corpus.py
# keeps only that) it splits exactly as the regex rbee and tokenizers use.
PRE_TOKENIZER = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+")
SPECIAL = ("<s>", "</s>")  # ids 0 and 1: BOS (added in front of every text) and EOS


def byte_chars():
    """GPT-2's byte -> character table: printable Latin-1 bytes stand for themselves, the others
    for the characters from U+0100 on."""
    printable = [*range(0x21, 0x7F), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    table = {b: chr(b) for b in printable}
    for n, b in enumerate(b for b in range(256) if b not in table):
        table[b] = chr(0x100 + n)
    return table


BYTE_CHARS = byte_chars()


def spell(piece):
    return "".join(BYTE_CHARS[b] for b in piece.encode("utf-8"))


def merge_pair(symbols, a, b):
    """symbols with every non-overlapping a, b (left to right) joined into a + b."""
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == a and symbols[i + 1] == b:
            merged.append(a + b)
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return merged


class Tokenizer:
    """Ids: the special tokens, the 256 bytes in byte order, then one token per merge."""

    def __init__(self, merges):
        self.merges = merges
        self.vocab = {t: i for i, t in enumerate([*SPECIAL, *(BYTE_CHARS[b] for b in range(256))])}
        for a, b in merges:
            self.vocab.setdefault(a + b, len(self.vocab))
        self.rank = {pair: r for r, pair in enumerate(merges)}
        self.cache = {}

    @property
    def bos(self):
        return self.vocab["<s>"]

    @property
    def eos(self):
        return self.vocab["</s>"]

    def encode_piece(self, piece):
        if piece not in self.cache:
            symbols = list(spell(piece))
            while len(symbols) > 1:
                pairs = [(self.rank.get(p, len(self.rank)), i) for i, p in enumerate(zip(symbols, symbols[1:]))]
                rank, _ = min(pairs)
                if rank == len(self.rank):
                    break
                symbols = merge_pair(symbols, *self.merges[rank])
            self.cache[piece] = [self.vocab[s] for s in symbols]
        return self.cache[piece]

    def encode(self, text):
        """The ids of text, without BOS/EOS."""
        return [i for piece in PRE_TOKENIZER.findall(text) for i in self.encode_piece(piece)]

    def decode(self, ids):
        unbyte = {c: b for b, c in BYTE_CHARS.items()}
        names = {i: t for t, i in self.vocab.items()}
        return bytes(unbyte[c] for i in ids if names[i] not in SPECIAL for c in names[i]).decode("utf-8", "replace")

    def tokenizer_json(self):
        """tokenizer.json as Hugging Face tokenizers writes it for a byte-level BPE with BOS added."""
        byte_level = {"add_prefix_space": False, "trim_offsets": True, "use_regex": True}
        bos = {"SpecialToken": {"id": "<s>", "type_id": 0}}
        return {
            "version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": self.vocab[t], "content": t, "single_word": False, "lstrip": False,
                              "rstrip": False, "normalized": False, "special": True} for t in SPECIAL],
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", **byte_level},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "<s>", "type_id": 1}},
                         {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [self.bos], "tokens": ["<s>"]}}},
            "decoder": {"type": "ByteLevel", **byte_level},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": self.vocab, "merges": [[a, b] for a, b in self.merges]},
        }


def learn_merges(texts, vocab_size):
    """Merges until the vocabulary has vocab_size tokens: each time the most frequent adjacent pair
    within the pre-tokenized words (ties: the smaller pair), so the same texts give the same
    merges. Counts are updated only for the words a merge touches."""
    counts = Counter(piece for text in texts for piece in PRE_TOKENIZER.findall(text))
    words = [list(spell(w)) for w in sorted(counts)]
    freq = [counts[w] for w in sorted(counts)]
    pair_count, where = Counter(), defaultdict(set)

    def tally(i, sign):
        for pair in zip(words[i], words[i][1:]):
            pair_count[pair] += sign * freq[i]
            where[pair].add(i)

    for i in range(len(words)):
        tally(i, 1)
    heap = [(-c, pair) for pair, c in pair_count.items()]
    heapq.heapify(heap)
    merges, n_tokens = [], len(SPECIAL) + 256
    seen = set(BYTE_CHARS.values())
    while n_tokens < vocab_size and heap:
        c, pair = heapq.heappop(heap)
        if -c != pair_count[pair] or -c < 2:
            continue  # a stale entry, or nothing left worth a token
        merges.append(pair)
        a, b = pair
        if a + b not in seen:
            seen.add(a + b)
            n_tokens += 1
        touched = set()
        for i in sorted(where.pop(pair)):
            w = words[i]
            if not any(w[k] == a and w[k + 1] == b for k in range(len(w) - 1)):
                continue
            tally(i, -1)
            merged = merge_pair(w, a, b)
            words[i] = merged
            tally(i, 1)
            touched.update(zip(merged, merged[1:]))
        pair_count[pair] = 0
        for p in touched:
            heapq.heappush(heap, (-pair_count[p], p))
    return merges
