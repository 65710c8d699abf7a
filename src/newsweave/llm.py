"""An optional OpenAI-compatible chat endpoint that writes summaries and key points.

Without it everything works: the extractive summary (enrich.summary) is the default. With it
(NEWSWEAVE_LLM_URL and NEWSWEAVE_LLM_MODEL: llama.cpp's server, Ollama, vLLM, or a hosted API),
the pipeline asks it for a JSON object and keeps the extractive result whenever the answer is
late, an error, or not the JSON asked for. Nothing here is needed offline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx

from newsweave.errors import NewsweaveError

__all__ = ["LLMError", "SummaryWriter"]

_PROMPT = (
    "You summarise news articles for a news site. Reply with one JSON object and nothing else: "
    '{"summary": "<2-3 sentences>", "key_points": ["<3 to 5 short points>"]}. '
    "Use only facts stated in the article; attribute claims to whoever makes them."
)
_MAX_INPUT_CHARS = 12_000  # about 3,000 tokens: the lead and body of any normal article


class LLMError(NewsweaveError):
    """The endpoint failed or answered something other than the JSON asked for."""


@dataclass(frozen=True, slots=True)
class SummaryWriter:
    url: str  # base URL, e.g. http://127.0.0.1:8000/v1
    model: str
    api_key: str = ""
    timeout: float = 60.0

    def write(self, title: str, text: str) -> tuple[str, list[str]]:
        """(summary, key points) for one article, or LLMError."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": _PROMPT},
                {"role": "user", "content": f"{title}\n\n{text[:_MAX_INPUT_CHARS]}"},
            ],
        }
        endpoint = self.url.rstrip("/") + "/chat/completions"
        try:
            resp = httpx.post(endpoint, json=body, headers=headers, timeout=self.timeout)
            resp.raise_for_status()
            content = resp.json()["choices"][0]["message"]["content"]
        except httpx.HTTPError as exc:
            raise LLMError(f"LLM endpoint {endpoint}: {exc}") from None
        except (ValueError, KeyError, IndexError, TypeError):
            raise LLMError(f"LLM endpoint {endpoint}: not a chat completion") from None
        return _parse(str(content))


def _parse(content: str) -> tuple[str, list[str]]:
    start, end = content.find("{"), content.rfind("}")
    try:
        data = json.loads(content[start : end + 1]) if start >= 0 else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise LLMError("LLM answer is not the JSON object asked for")
    summary, points = data.get("summary"), data.get("key_points")
    if not isinstance(summary, str) or not summary.strip() or len(summary) > 2000:
        raise LLMError("LLM answer has no usable summary")
    if not isinstance(points, list) or not all(isinstance(p, str) and p.strip() for p in points):
        raise LLMError("LLM answer has no usable key points")
    return summary.strip(), [p.strip() for p in points[:5]]
