"""One app session driven over Streamlit's websocket protocol, as the page's own script drives it, but
without drawing anything: a load generator for the server.

A real user's browser runs on the user's machine. In a load test on one machine, ten real browsers
drawing ten sessions take most of its cores (tests/e2e/test_load.py measured about eight to ten times
the server's CPU per edit), so the server is measured against load it would not see in production. This
client sends what the browser sends (a rerun with the address's query string and the changed widget's
value) and reads what the server answers (the page's elements, its query string, the end of the run),
so the other sessions of a load test cost the server what they would cost it, and the machine nothing else.

Protocol (streamlit/proto: BackMsg, ClientState, ForwardMsg): connect to /_stcore/stream with the
"streamlit" subprotocol; every run is asked for with BackMsg.rerun_script; the server answers with
new_session, one delta per element, page_info_changed (the address it writes), script_finished.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.sync.client import connect

RUN_TIMEOUT_S = 120.0


@dataclass
class Run:
    """What one run drew, with the times (seconds after the rerun was sent) a user would notice."""

    first_metric_s: float | None = None  # the headline's first figure arrived
    finished_s: float | None = None  # the whole page arrived
    markdown: list[str] = field(default_factory=list)  # every markdown body (captions included), in order
    text_inputs: dict[str, str] = field(default_factory=dict)  # label -> widget id (first of each label)
    exceptions: list[str] = field(default_factory=list)
    query_string: str | None = None


class ProtocolSession:
    """A session of the app at `base_url` opened with the link's `query` (without '?'); a context manager
    (the websocket is open inside `with`)."""

    def __init__(self, base_url: str, query: str = "") -> None:
        parsed = urlparse(base_url)
        self._connect = connect(f"ws://{parsed.netloc}/_stcore/stream", subprotocols=["streamlit"],
                                additional_headers={"Origin": f"{parsed.scheme}://{parsed.netloc}"},
                                max_size=None, open_timeout=30)
        self._ws = None
        self.query_string = query
        self.page_script_hash = ""

    def __enter__(self) -> "ProtocolSession":
        self._ws = self._connect.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._connect.__exit__(*exc)

    def run(self, widget: tuple[str, str] | None = None) -> Run:
        """One rerun, with `widget` = (widget id, new text) typed into a text input; waits for its end."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        if widget is not None:
            ws = WidgetState(id=widget[0], string_value=widget[1])
            state.widget_states.widgets.append(ws)
        run = Run()
        t0 = time.perf_counter()
        self._ws.send(msg.SerializeToString())
        started = False
        while True:
            raw = self._ws.recv(timeout=RUN_TIMEOUT_S)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                started = True
                self.page_script_hash = fwd.new_session.page_script_hash
            elif kind == "page_info_changed":
                run.query_string = self.query_string = fwd.page_info_changed.query_string
            elif kind == "delta" and started and fwd.delta.WhichOneof("type") == "new_element":
                self._read_element(fwd.delta.new_element, run, time.perf_counter() - t0)
            elif kind == "script_finished" and started:
                run.finished_s = time.perf_counter() - t0
                return run

    @staticmethod
    def _read_element(element, run: Run, at_s: float) -> None:
        kind = element.WhichOneof("type")
        if kind == "metric" and run.first_metric_s is None:
            run.first_metric_s = at_s
        elif kind == "markdown":
            run.markdown.append(element.markdown.body)
        elif kind == "text_input":
            run.text_inputs.setdefault(element.text_input.label, element.text_input.id)
        elif kind == "exception":
            run.exceptions.append(element.exception.message)
