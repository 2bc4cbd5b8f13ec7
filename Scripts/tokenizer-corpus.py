#!/usr/bin/env python3
"""Regenerates Tests/SwitchyardTokenizerTests/Fixtures/tokenizer-corpus.json.

Encodes every text below with the real tiktoken (encode_ordinary) under cl100k_base and o200k_base,
loading the vocabularies from the files committed in Sources/SwitchyardTokenizer/Resources so that
nothing is downloaded. Needs `pip install tiktoken` (written against tiktoken 0.14.0).

    python3 Scripts/tokenizer-corpus.py
"""

import hashlib
import json
import random
from pathlib import Path

import tiktoken
from tiktoken.load import load_tiktoken_bpe

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "Sources" / "SwitchyardTokenizer" / "Resources"
OUTPUT = ROOT / "Tests" / "SwitchyardTokenizerTests" / "Fixtures" / "tokenizer-corpus.json"

# The split patterns and vocabulary hashes of tiktoken_ext/openai_public.py (tiktoken 0.14.0).
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
ENCODINGS = {
    "cl100k": (
        "cl100k_base",
        CL100K_PATTERN,
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259, "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276},
    ),
    "o200k": (
        "o200k_base",
        O200K_PATTERN,
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
}


def long_mixed_text(length: int = 5000) -> str:
    """A deterministic, random-looking text of about `length` characters mixing words, scripts, digits and whitespace."""
    rng = random.Random(20240601)
    words = [
        "the", "gateway", "routes", "requests", "to", "upstream", "providers", "and", "counts", "tokens",
        "Swift", "HTTP/1.1", "JSON", "latency", "p99", "don't", "they're", "I'LL", "café", "naïve",
        "東京", "数据", "トークン", "한국어", "مرحبا", "नमस्ते", "Привет", "Ελληνικά", "שלום", "ไทย",
        "😀", "👩‍💻", "🇩🇪", "1234567", "3.14159", "0xDEADBEEF", "snake_case", "camelCase", "HTTPServer", "e\u0301",
        "//", "/*", "*/", "{}", "[]", "()", "->", "=>", "!=", "...",
    ]
    separators = [" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", ", ", ". ", "\r\n", "   \n", " \u00a0", "\u3000"]
    parts = []
    size = 0
    while size < length:
        part = rng.choice(words) + rng.choice(separators)
        parts.append(part)
        size += len(part)
    return "".join(parts)


def lowercase_run(length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(length))


TEXTS = [
    ("empty", ""),
    ("hello world", "Hello, world!"),
    ("english prose", "The quick brown fox jumps over the lazy dog. It was the best of times, it was the worst of times; "
     "it was the age of wisdom, it was the age of foolishness. Tokenizers split text into pieces before merging bytes."),
    ("english paragraphs", "Switchyard is a gateway.\n\nIt forwards each request to an upstream provider, translating between "
     "dialects when needed.\nRate limits are counted in tokens per minute (TPM) and requests per minute (RPM)."),
    ("contractions lowercase", "I'm sure you'll see they've done what we'd planned; it's John's, isn't it? We're here."),
    ("contractions uppercase", "I'M SURE YOU'LL SEE THEY'VE DONE IT. IT'S JOHN'S. DON'T! WE'RE HERE, WE'D GO."),
    ("contractions mixed case", "He'S, she'Ll, we'Re, they'VE, I'D, you'M, it'T, THEY'rE, YOU'lL"),
    ("contractions curly", "don\u2019t won\u2019t it\u2019s John\u2019s \u2018quoted\u2019 \u201cdouble\u201d"),
    ("apostrophe edge cases", "'s 's's '''s 'sup 'LLama 'rest 'vex 'd 'm 't x'y ' s 'S'T 'ſ x'ſx"),
    ("contraction after marks and caps", "ABC's DEF'LL GhI'Ve e\u0301'S \u0301's ǅemal's McDonald's"),
    ("swift code", "import Foundation\n\n/// A greeting.\npublic struct Greeter: Sendable {\n    let name: String\n\n"
     "    func greet() -> String {\n\t\treturn \"Hello, \\(name)!\" // tab-indented\n  \t}\n}\n\nlet xs = [1, 22, 333, 4444].map { $0 * 2 }\n"),
    ("python code", "def fib(n: int) -> int:\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n    a, b = 0, 1\n"
     "    for _ in range(n):\n        a, b = b, a + b\n    return a\n\n\nif __name__ == \"__main__\":\n\tprint(fib(30))  # 832040\n"),
    ("json", "{\n  \"model\": \"gpt-4o\",\n  \"messages\": [{\"role\": \"user\", \"content\": \"Hi!\"}],\n"
     "  \"temperature\": 0.7,\n  \"max_tokens\": 1024,\n  \"stream\": true,\n  \"nested\": {\"a\": [1, 2, {\"b\": null}]}\n}"),
    ("minified json", "{\"id\":\"chatcmpl-123\",\"object\":\"chat.completion\",\"created\":1677652288,\"choices\":[{\"index\":0,"
     "\"message\":{\"role\":\"assistant\",\"content\":\"\\n\\nHello there\"},\"finish_reason\":\"stop\"}]}"),
    ("shell and paths", "$ cd /usr/local/bin && ./switchyard --config ~/.config/switchyard.yaml 2>&1 | tee /tmp/log.txt\n"
     "C:\\Users\\Admin\\AppData\\Local\\Temp\\file.tmp\n"),
    ("url", "https://example.com/path/to/file.html?query=1&x=y#frag and http://localhost:8080/v1/chat/completions"),
    ("markdown", "# Title\n\n| Column | Value |\n|--------|------:|\n| a      |     1 |\n\n- item one\n- item **two**\n"
     "> quote\n\n```swift\nprint(1)\n```\n"),
    ("chinese", "我们的网关将请求转发给上游服务提供商。它还会统计令牌数量，并执行速率限制。"),
    ("japanese", "東京は日本の首都です。カタカナのトークン、ひらがなのテキスト、そして長音ー記号。ﾊﾝｶｸｶﾀｶﾅ"),
    ("korean", "안녕하세요, 세계! 한국어 문장은 공백으로 단어를 구분합니다."),
    ("arabic", "مَرْحَبًا بِالْعَالَمِ. هذه جملة باللغة العربية مع أرقام ١٢٣٤٥."),
    ("hindi", "नमस्ते दुनिया! यह हिन्दी में एक वाक्य है, जिसमें मात्राएँ और संयुक्ताक्षर हैं।"),
    ("other scripts", "Привет, мир! Γειά σου Κόσμε! שָׁלוֹם עוֹלָם ภาษาไทยเป็นภาษาที่ไม่มีช่องว่าง Tiếng Việt có dấu."),
    ("emoji", "Great job! 👍🏽 Family: 👨\u200d👩\u200d👧\u200d👦 Flags: 🇯🇵🇺🇸🏳\ufe0f\u200d🌈 Heart: ❤\ufe0f Keycap: 1\ufe0f\u20e3 #\ufe0f\u20e3"),
    ("emoji only", "😀😃😄😁😆😅🤣😂🙂🙃😉😊😇🥰😍🤩😘"),
    ("numbers", "0 12 123 1234 12345 123456 1234567 12345678901234567890 3.14159 -42 +7 1,000,000 2024-06-01 0x1F 1e10 007"),
    ("other numerals", "١٢٣٤ ۱۲۳ १२३४५ ½ ¾ Ⅻ ⅻ ²³ ① ⑳ 𝟙𝟚𝟛 ９８７"),
    ("letters and digits", "abc123def4567 h2o CO2 3D x86_64 UTF-8 iOS17 A1B2C3D4 v1.2.3-beta.4"),
    ("whitespace leading", "   leading spaces"),
    ("whitespace trailing", "trailing spaces   "),
    ("whitespace between", "a  b   c    d     e\t\tf \t g"),
    ("newlines", "line1\nline2\n\nline3\n\n\n"),
    ("crlf", "\r\n\r\nwindows\r\nlines\r\n  \r\nend\r\n"),
    ("space before newline", "spaces before newline   \nnext line \n\n  indented\n"),
    ("only whitespace", "   \n\t  \r\n  "),
    ("single space", " "),
    ("single newline", "\n"),
    ("tabs", "\t\ttabs\t\n\t\n\t\t\tx"),
    ("unicode spaces", "a\u00a0b\u2009c\u3000d\u202fe\u0085f\u2028g\u2029h\x0bi\x0cj \u00a0k  \u3000\u3000l"),
    ("control characters", "\x00\x01\x02\x1c\x1d\x1e\x1f\x7f end"),
    ("accents precomposed", "café naïve résumé Ångström façade jalapeño Øresund Łódź"),
    ("accents decomposed", "cafe\u0301 nai\u0308ve re\u0301sume\u0301 A\u030angstro\u0308m"),
    ("combining marks", "Z\u0334\u0321\u031ba\u0336l\u0337g\u0338o\u0335 \u0301abc  \u0301x \u20dd \u0301'S"),
    ("special token text", "<|endoftext|>Hello<|fim_prefix|>a<|fim_middle|>b<|fim_suffix|>c<|endofprompt|> <|endoftext|>"),
    ("case transitions", "CamelCaseWordsAndHTTPServer XMLHttpRequest iPhone ALLCAPS ALLCAPS'S ǅemal ǈubljana"),
    ("modifier letters", "ʰʲʷ ˈwɜːld ᵃᵇᶜ ꜰᴀɴᴄʏ ʻokina"),
    ("punctuation", "!!! ??? ... --- *** ___ ~~~ ^^^ @@@ ###\n\n a.b,c;d:e x/y//z\n/ end.\n/\n ;\n\n"),
    ("brackets", "(([[{{<<>>}}]])) ([{<>}]) f(x)[0]{k}<T>"),
    ("math", "∀x∈ℝ: x² ≥ 0 ⇒ √(x²) = |x|; ∑ᵢ aᵢ ≈ ∫ f(x) dx ± ε"),
    ("currency", "$100 €50 £30 ¥1000 ₹500 ₿0.001 12.5% 3×4÷2"),
    ("mixed scripts in words", "Hello世界 mixedΑλφα Ωmega東京Tokyo 123abc東京"),
    ("glitch tokens", " SolidGoldMagikarp davidjl petertodd ForgeModLoader"),
    ("repeated characters", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ........................ !!!!!!!!!!!!"),
    ("long letter run", "a" * 1000),
    ("long random lowercase", lowercase_run(1200, 7)),
    ("long space run", " " * 700 + "x" + " " * 300),
    ("long punctuation run", "=" * 600 + "\n" + "-" * 300 + "\n"),
    ("long alternating", "ab" * 400),
    ("long devanagari word", "नमस्ते" * 120),
    ("long mixed text", long_mixed_text()),
]


def load_encoding(key: str) -> tiktoken.Encoding:
    name, pattern, expected_hash, special_tokens = ENCODINGS[key]
    path = RESOURCES / f"{name}.tiktoken"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected_hash:
        raise SystemExit(f"{path}: sha256 {digest}, expected {expected_hash}")
    ranks = load_tiktoken_bpe(str(path), expected_hash=expected_hash)
    return tiktoken.Encoding(name=f"{name}_local", pat_str=pattern, mergeable_ranks=ranks, special_tokens=special_tokens)


def main() -> None:
    encodings = {key: load_encoding(key) for key in ENCODINGS}
    names = [name for name, _ in TEXTS]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate case names")
    cases = []
    for name, text in TEXTS:
        case = {"name": name, "text": text}
        for key, encoding in encodings.items():
            ids = encoding.encode_ordinary(text)
            if encoding.decode_bytes(ids) != text.encode("utf-8"):
                raise SystemExit(f"{name}: {key} does not round-trip")
            case[key] = ids
        cases.append(case)
    header = {"generator": "Scripts/tokenizer-corpus.py", "tiktoken": tiktoken.__version__}
    lines = ["{", f'"generator": {json.dumps(header["generator"])},', f'"tiktoken": {json.dumps(header["tiktoken"])},', '"cases": [']
    for index, case in enumerate(cases):
        comma = "," if index < len(cases) - 1 else ""
        lines.append(json.dumps(case, ensure_ascii=True, separators=(",", ":")) + comma)
    lines += ["]", "}"]
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n", encoding="ascii")
    print(f"wrote {len(cases)} cases to {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
