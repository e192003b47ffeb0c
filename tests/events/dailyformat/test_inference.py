"""A new source's publisher, title and kind, guessed from the citation label and host."""

import pytest

from sources.inference import infer_source


@pytest.mark.parametrize(
    ("label", "url", "publisher", "title", "kind"),
    [
        (
            "Reuters : Broadcom 与 Google 长期 TPU 协议",
            "https://finance.yahoo.com/a",
            "Reuters",
            "Broadcom 与 Google 长期 TPU 协议",
            "media",
        ),
        (
            "European Commission：GPAI Code 页面",
            "https://digital-strategy.ec.europa.eu/x",
            "European Commission",
            "GPAI Code 页面",
            "media",
        ),
        ("OpenAI 官方公告", "https://openai.com/index/a/", "OpenAI", "", "official"),
        ("NVIDIA 官方公告 PDF", "https://nvidianews.nvidia.com/p/", "NVIDIA", "", "official"),
        ("Lab official announcement", "https://lab.example.com/", "Lab", "", "official"),
        ("arXiv：AgentHazard", "https://arxiv.org/abs/2604.02947", "arXiv", "AgentHazard", "paper"),
        (
            "Daniel Newman on X",
            "https://x.com/danielnewmanUV/status/1",
            "Daniel Newman",
            "",
            "social",
        ),
        ("Someone", "https://mobile.twitter.com/someone/status/2", "Someone", "", "social"),
        (
            "Google 2026 年 3 月 AI 更新",
            "https://blog.google/a/",
            "Google",
            "2026 年 3 月 AI 更新",
            "media",
        ),
        ("Axios", "https://www.axios.com/a", "Axios", "", "media"),
    ],
)
def test_publisher_title_and_kind_are_inferred(label, url, publisher, title, kind):
    guess = infer_source(label, url)
    assert (guess.publisher, guess.title, guess.kind) == (publisher, title, kind)


def test_a_host_that_only_contains_x_com_is_not_social():
    assert infer_source("Box", "https://notx.com.example.org/a").kind == "media"


def test_very_long_labels_are_cut_to_the_column_sizes():
    guess = infer_source("P" * 300 + "：" + "T" * 600, "https://a.example.com/")
    assert (len(guess.publisher), len(guess.title)) == (200, 500)
