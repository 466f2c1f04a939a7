"""Chat from the platforms (issue 5): every source normalises to one `ChatEvent`.

`ChatHub` runs sources (each one module, one contract: `ChatSource.session`),
dedupes on (platform, msg_id), and hands events out through one bounded queue
that drops the least valuable first. See docs in each adapter for the wire format.
"""

from twincast.chat.events import KINDS, MAX_TEXT_CHARS, ChatEvent, ChatUser, Gift, clean_text, make_event, value_rank
from twincast.chat.dedupe import Deduper
from twincast.chat.source import Backoff, ChatHub, ChatSource, FloodQueue, SessionContext, SourceHealth

__all__ = [
    "KINDS", "MAX_TEXT_CHARS", "ChatEvent", "ChatUser", "Gift", "clean_text", "make_event", "value_rank",
    "Deduper", "Backoff", "ChatHub", "ChatSource", "FloodQueue", "SessionContext", "SourceHealth",
]
