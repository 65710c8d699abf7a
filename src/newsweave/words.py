"""How many words a text holds, in any script, and the one slug of a name.

Counting by spaces says a Chinese or Japanese article has a handful of "words" (a sentence is
one run of characters), so a real page was refused as "fewer than 25 words" and its sentences
were too short to summarise. Here a run of CJK characters counts a word for every two
characters (the average length of a Chinese word is ~1.5-2 characters; Japanese mixes kana in
between); a run of Thai, Lao, Khmer or Myanmar (also written without spaces, ~4-5 characters a
word with their combining vowels and tones) a word for every four; everything else is counted
by whitespace.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "APOSTROPHE",
    "APOSTROPHES",
    "ARABIC_ARTICLE",
    "CHINESE_FAMILY",
    "CJK",
    "NAME_PARTICLES",
    "STYLES",
    "TITLES",
    "family_name",
    "goes_by",
    "is_one_name",
    "particle_surname",
    "slugify",
    "speaker_groups",
    "strip_titles",
    "without_middle_initial",
    "word_count",
]

#: Han, kana and hangul: the scripts written without spaces between words.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+")


#: Thai, Lao, Myanmar and Khmer: other scripts written without spaces between words.
SPACELESS = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]+")


def word_count(text: str) -> int:
    """Words in `text`: whitespace-separated tokens, with runs of the scripts written without
    spaces counted by characters."""
    n = 0
    if CJK.search(text):
        n += (sum(len(run) for run in CJK.findall(text)) + 1) // 2
        text = CJK.sub(" ", text)
    if SPACELESS.search(text):
        n += (sum(len(run) for run in SPACELESS.findall(text)) + 3) // 4
        text = SPACELESS.sub(" ", text)
    return n + len(text.split())


#: The apostrophes news writes, for a regex character class: straight, curly, a left quotation
#: mark standing for one ("Donald Trump‘s" in PolNeAR), the modifier letter. In a slug they are
#: no break: "O'Malley" and "O’Malley" were "o-malley" and "omalley", two tags of one man
#: (migration 0027).
APOSTROPHES = "'’‘ʼ"
APOSTROPHE = re.compile(f"[{APOSTROPHES}]")


def slugify(label: str) -> str:
    """'Alaska summit' -> 'alaska-summit', 'Müller' -> 'muller': a tag's key and URL. Here, at
    the bottom, so that the hashtags that make tags and the store that folds them agree."""
    label = APOSTROPHE.sub("", label)
    ascii_ = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")
    return slug or re.sub(r"\W+", "-", label.lower()).strip("-")


#: The small words of a surname ("Katrina vanden Heuvel", "Marine Le Pen", "Louis van Gaal"):
#: part of the name a person goes by alone, never a name of their own.
NAME_PARTICLES = frozenset(
    "van vanden von der de den del della da di dos du la le al bin ibn".split()  # noqa: SIM905
)


# Family names news writes first: Chinese ("Xi Jinping", "Wang Yi") and Korean ("Kim Jong Un",
# "Moon Jae-in"), the commonest, in their usual romanisation. A bare "Xi" (two articles of
# allsides-dev) stood beside the site's Xi Jinping, as "Biden" did beside Joe Biden.
CHINESE_FAMILY = frozenset(
    """
    Xi Li Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo
    Zheng Liang Xie Tang Feng Deng Cao Peng Zeng Xiao Tian Dong Pan Yuan Cai Jiang Du Ye
    Cheng Wei Su Lu Ding Ren Shen Yao Qin Wen Xue Qian Jia Lai Tsai Hou Meng Bo Hua
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_KOREAN_FAMILY = frozenset(
    "Kim Lee Park Choi Moon Yoon Jung Kang Cho Shin Han Oh Ahn Hwang Chung Ban Roh".split()  # noqa: SIM905
)
_SYLLABLE = re.compile(r"[A-Z][a-z]{0,4}(?:-[a-z]{1,5})?")


def family_name(name: str) -> str:
    """The name a person goes by alone: the last word ("Joe Biden": Biden; "Bashar al-Assad":
    Assad), or the first of a Chinese or Korean name written family name first ("Xi Jinping":
    Xi; "Kim Jong Un": Kim, but "Kim Kardashian": Kardashian). Here, at the bottom, so that
    the analyses that resolve a bare name and the store that folds it agree."""
    words = name.split()
    if len(words) < 2:
        return name
    first, rest = words[0], words[1:]
    if (
        first in CHINESE_FAMILY
        and len(rest) == 1
        and re.fullmatch(r"[A-Z][a-z]+(?:-[a-z]+)?", rest[0])
    ):
        return first
    korean = first in _KOREAN_FAMILY and (len(rest) == 2 or "-" in rest[0])
    if korean and all(_SYLLABLE.fullmatch(w) for w in rest):
        return first
    return ARABIC_ARTICLE.sub("", words[-1])


def particle_surname(name: str) -> str:
    """A surname from its particle on, as written ("van Gaal" of "Louis van Gaal", "von der
    Leyen", "Le Pen"), which news writes alone, capitalised where it opens a sentence or a
    name ("Van Gaal", "De Blasio"); "" for a name with none. Beside `family_name`, which
    stays the last word: a tag's slug and the store's folds keep reading it."""
    words = name.split()
    for i in range(1, len(words) - 1):
        if words[i].lower() in NAME_PARTICLES:
            return " ".join(words[i:])
    return ""


def goes_by(full: str, short: str) -> bool:
    """Whether the person named `full` is the one a bare `short` names: its family name
    ("Biden", "Assad", "Xi") or its surname from the particle on, in any case ("Van Gaal" of
    Louis van Gaal). The entities, the speakers and the store's folds read this one test."""
    return family_name(full) == short or particle_surname(full).lower() == short.lower()


# The article of an Arabic name's last part, which news drops when it names the person alone:
# "Bashar al-Assad" is Assad, "Abdel Fattah el-Sisi" Sisi.
ARABIC_ARTICLE = re.compile(r"^(?:al|el|Al|El)-(?=[A-Z])")


# Words of a title before a name ("President Putin"); hashtags reads them as roles too. Here,
# at the bottom, so that the store folds "Mr. McCarthy" into Kevin McCarthy as quotes does.
TITLES = frozenset(
    [
        "president",
        "presidents",
        "vice",
        "prime",
        "minister",
        "ministers",
        "chancellor",
        "senator",
        "sen",
        "sens",
        "rep",
        "reps",
        "representative",
        "governor",
        "gov",
        "mayor",
        "general",
        "gen",
        "colonel",
        "col",
        "admiral",
        "secretary",
        "ambassador",
        "king",
        "queen",
        "prince",
        "princess",
        "emperor",
        "tsar",
        "pope",
        "sheikh",
        "sir",
        "dame",
        "lord",
        "lady",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "professor",
        "judge",
        "justice",
        "chief",
        "leader",
        "spokesman",
        "spokeswoman",
        "commissioner",
        "premier",
        "director",
        "chair",
        "chairman",
        "chairwoman",
        "speaker",
        "ayatollah",
        "imam",
        "rabbi",
        "cardinal",
        "archbishop",
        "bishop",
        "rev",
        "reverend",
    ]
)


# Titles a person is known by with one name: Pope Francis, Prince Harry, Queen Elizabeth II,
# Lord Frost, Lady Gaga, Ayatollah Khomeini. Bare, "Francis" or "Gaga" is no one in
# particular; where the article names the person in full too, that name is theirs
# (enrich.entities: "Sir Keir" is Keir Starmer).
STYLES = frozenset(
    ["pope", "king", "queen", "prince", "princess", "emperor", "empress", "tsar", "sheikh",
     "lord", "lady", "dame", "sir", "ayatollah"]
)  # fmt: skip
_REGNAL = re.compile(r"[IVX]+|Jr\.?")


def is_one_name(name: str) -> bool:
    """Whether a name is one name, perhaps with a regnal numeral ("Harry", "Elizabeth II")."""
    return sum(not _REGNAL.fullmatch(w) for w in name.split()) == 1


def strip_titles(name: str) -> str:
    """A name as the article would say it bare: "Mr. McCarthy" is McCarthy, "Sen. Joe Manchin"
    Joe Manchin; a title alone stays, and so does a style before one name ("Pope Francis",
    "Prince Harry", "Queen Elizabeth II": the name alone is not the person)."""
    words = name.split()
    while len(words) > 1 and words[0].lower().rstrip(".") in TITLES:
        if words[0].lower() in STYLES and is_one_name(" ".join(words[1:])):
            break
        words.pop(0)
    return " ".join(words)


# A person's one middle initial: "Donald J. Trump" is the Donald Trump of most outlets (the
# New York Times writes every name so: "Anthony S. Fauci"). Not two: George H. W. Bush is not
# George W.
_MIDDLE_INITIAL = re.compile(r"(?<=[\w.]) [A-Z]\.(?= [A-Z])")


def without_middle_initial(name: str) -> str:
    """'Donald J. Trump' -> 'Donald Trump'; a name with none, or with two, as it is."""
    found = _MIDDLE_INITIAL.findall(name)
    return _MIDDLE_INITIAL.sub("", name) if len(found) == 1 else name


# A first-person speaker is the voice of whoever holds the quotation or writes the column: on
# PolNeAR's texts "I" and "we" speak 82 of 13,823 claims ("As I said, ...", "We know ..."),
# each another person's; across articles they are no one speaker.
_FIRST_PERSON = frozenset({"i", "we", "me", "us"})


def speaker_groups(speakers: Iterable[str]) -> dict[str, str]:
    """Each speaker as an article writes it -> the name its claims are grouped under across a
    story's articles (its page, `newsweave quotes`). "economists" inside a sentence and
    "Economists" opening one are one group, as are "Roger T. Benitez" and "Roger Benitez":
    shown in the form with the most capitals (a name written as a name, the first met where
    they tie). An outlet that writes "Lagarde" or "Ms. Lagarde" quotes the "Christine Lagarde"
    another names, where one full name ends so. First-person speakers are left out."""
    key_of: dict[str, str] = {}
    shown: dict[str, str] = {}  # case-folded key -> the form shown
    for speaker in speakers:
        if not speaker or speaker in key_of or speaker.casefold() in _FIRST_PERSON:
            continue
        written = speaker[:1].upper() + speaker[1:]
        key = key_of[speaker] = without_middle_initial(written).casefold()
        held = shown.setdefault(key, written)
        if sum(c.isupper() for c in written) > sum(c.isupper() for c in held):
            shown[key] = written
    bare_of = {name: strip_titles(name) for name in shown.values()}
    full = [name for name, bare in bare_of.items() if " " in bare]
    into: dict[str, str] = {}
    for name, bare in bare_of.items():
        fuller = [f for f in full if f.endswith(" " + bare)] if " " not in bare else []
        if len(fuller) == 1:
            into[name] = fuller[0]
    return {sp: into.get(shown[key], shown[key]) for sp, key in key_of.items()}
