"""Running captures: claim, fetch, store the WARC, finish the row; then extract the text.

A capture is a Snapshot row that moves queued → running → captured → succeeded, or → failed.
It runs in two steps so the network work never waits on the CPU work:

1. Capture (`capture_many`): claim a batch of queued rows in one statement, fetch each page through
   the checked fetcher, write its WARC, and finish the batch's rows in one statement as `captured`
   (or `succeeded` at once when the bytes equal the previous capture's: nothing new to extract).
   The network and file work happens outside any transaction; until the row is finished, no row
   points at half-written files. Transient failures go back to queued with a retry time, for up to
   24 hours after the capture was asked for.
2. Extraction (`extract_many`): read each captured page back out of its WARC, extract the text,
   title, date and language, compare the text with the previous capture, and finish the row as
   `succeeded`. A changed text flags the source and sends `source_changed`.

Bulk captures (schedules, a whole issue, the command) run batches with extraction as its own task;
the capture of one newly cited source runs both steps for it in one task (`capture`), so the
analyst who cited it sees the result at once.

One module a job, each importing only the ones listed before it:

- `bookkeeping`: the transaction the rows are written in;
- `retries`: what a failed attempt does to its row (queued again with a backoff, or failed);
- `claiming`: the claim of a batch (one UPDATE … RETURNING) and the lease a worker holds;
- `finishing`: the batch's stored rows written back in one round, unstarted rows put back;
- `changes`: an extracted row finished, and the source flagged when its text changed;
- `extracting`: the text read back from the WARC and extracted;
- `capturing`: a batch fetched and stored (`capture_many`), one capture with its extraction
  (`capture`), bytes we already hold (`capture_from_bytes`).
"""

from .capturing import Captured, capture, capture_from_bytes, capture_many
from .claiming import lease
from .extracting import extract, extract_many
from .retries import RetryLater

__all__ = [
    "Captured",
    "RetryLater",
    "capture",
    "capture_from_bytes",
    "capture_many",
    "extract",
    "extract_many",
    "lease",
]
