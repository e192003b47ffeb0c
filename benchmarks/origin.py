"""The snapshot benchmark's origin: distinct news pages (and one 200 MB response) served from
one asyncio process, every response built once before the first run."""

import asyncio
import random

BIG_BYTES = 200 * 1024 * 1024


SENTENCES = [
    "The company said the agreement covers several gigawatts of data-centre capacity over the "
    "next {n} years.",
    "Analysts expect demand for accelerators to outstrip supply until at least {y}.",
    "A spokesperson declined to comment on the terms, citing confidentiality.",
    "The model was trained on a cluster of {n},000 chips, according to the technical report.",
    "Regulators in Brussels have asked for more detail on how the system is evaluated for safety.",
    "Shares rose {p} per cent in early trading after the announcement.",
    "The research team released the weights under an open licence on {d} April.",
    "Independent benchmarks published last week put the system ahead on coding tasks but "
    "behind on long-context retrieval.",
    "Power constraints, rather than chips, are now the main bottleneck for new campuses, "
    "engineers say.",
    "The deal values the start-up at about ${n} billion, people familiar with the matter said.",
    "Export rules announced in {y} restrict shipments of the most capable processors.",
    "The lab said the new version halves the cost of inference for enterprise customers.",
    "Critics argue the evaluation does not reflect how the tools are used in practice.",
    "The paper reports a {p} per cent improvement over the previous state of the art.",
    "Developers will be able to use the model through the company's cloud platform next month.",
    "Officials said the framework would be reviewed after {n} months.",
]
SECTIONS = ["world", "business", "technology", "science", "markets", "policy", "opinion", "video"]
NAV = "".join(f'<li><a class="nav-link" href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)


def page_body(number: int, size: int) -> bytes:
    """A distinct news-article page of about `size` bytes that compresses like a real one.

    Site chrome around paragraphs of recombined sentences, with the ids and tracked links real
    pages carry: gzip takes it to about a fifth of its size, at about the CPU real pages cost
    (a page of one repeated paragraph compressed 100:1 and made the WARC look four times
    cheaper than it is).
    """
    rng = random.Random(number)
    head = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Story {number}"
        "</title><meta name='date' content='2026-04-07'><link rel='stylesheet' "
        "href='/static/site.css'></head><body><header class='site-header'><a class='logo' "
        f"href='/'>The Daily Record</a><nav><ul>{NAV}</ul></nav></header><main><article>"
        f"<h1>Story {number}</h1>"
    )
    tail = f"</article></main><footer><p>&copy; 2026 The Daily Record</p><ul>{NAV}</ul></footer>"
    tail += "</body></html>"
    parts, length = [head], len(head) + len(tail)
    while length < size:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            sentence = rng.choice(SENTENCES).format(
                n=rng.randint(2, 90),
                y=rng.randint(2025, 2030),
                p=rng.randint(1, 40),
                d=rng.randint(1, 30),
            )
            if rng.random() < 0.5:
                sentence += (
                    f' <a href="/{rng.choice(SECTIONS)}/{rng.getrandbits(40):x}-'
                    f'{rng.randint(1, 99999)}" data-track="{rng.getrandbits(64):016x}">'
                    "Read more</a>"
                )
            sentences.append(sentence)
        paragraph = (
            f'<p id="p-{rng.getrandbits(32):08x}" data-block="{rng.getrandbits(48):012x}">'
            f"{' '.join(sentences)}</p>\n"
        )
        parts.append(paragraph)
        length += len(paragraph)
    return ("".join(parts) + tail).encode()


def _response(number: int, size: int, cache: dict[int, bytes]) -> bytes:
    """Page `number`'s whole HTTP response, built the first time it is asked for."""
    if number not in cache:
        body = page_body(number, size)
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        cache[number] = head.encode() + body
    return cache[number]


async def _big(writer) -> None:
    chunk = b"<p>" + b"x" * 1020 + b"</p>"
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + f"Content-Length: {BIG_BYTES}\r\nConnection: close\r\n\r\n".encode()
    )
    for _ in range(BIG_BYTES // len(chunk)):
        writer.write(chunk)
        await writer.drain()


def serve(port_queue, size: int, pages: int) -> None:
    """Serve the pages from one asyncio process, each response built once and written whole.

    The origin's CPU is not the worker's in production; on a two-core machine a server that
    spends half a millisecond per page (http.server's thread per connection) takes CPU from
    whichever side uses both cores, which the pipeline's processes do and the plain client's
    threads (one interpreter) do not.
    """
    cache: dict[int, bytes] = {}

    async def handle(reader, writer) -> None:
        try:
            request = await reader.readuntil(b"\r\n\r\n")
            path = request.split(b" ", 2)[1].decode().split("?", 1)[0]
            if path == "/big":
                await _big(writer)
            else:
                writer.write(_response(int(path.rsplit("/", 1)[-1]), size, cache))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    for number in range(pages):  # built before the first run, so no run pays for them
        _response(number, size, cache)

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=512)
        port_queue.put(server.sockets[0].getsockname()[1])
        await server.serve_forever()

    asyncio.run(main())
