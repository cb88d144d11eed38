"""Compare: save the scenario under a name, then read two or three saved ones side by side."""
import streamlit as st

from engine.compare import MAX_COMPARED, compare
from present.formatting import usd_per_month
from ui import compare as saved_scenarios
from ui import state
from ui.layout import page_header
from ui.safe import md

NAME_KEY, PICK_KEY, UPLOAD_KEY, MESSAGE = "_compare_name", "_compare_pick", "_compare_upload", "compare_message"

page_header("Compare scenarios", "save scenarios, then read two or three side by side")


def _say(kind: str, text: str) -> None:
    st.session_state[MESSAGE] = (kind, text)


def _save() -> None:
    try:
        name = saved_scenarios.save(st.session_state.get(NAME_KEY) or state.scenario().name, state.scenario(),
                                    state.preset())
    except ValueError as exc:
        _say("error", f"Not saved: {exc}")
        return
    _say("success", f"Saved as “{name}”.")


def _open(name: str) -> None:
    item = saved_scenarios.saved()[name]
    st.session_state[state.PRESET] = item.preset
    state.set_scenario(item.scenario)
    _say("success", f"Opened “{name}”: every page now shows it.")


def _remove(name: str) -> None:
    saved_scenarios.saved().pop(name, None)


def _uploaded() -> None:
    file = st.session_state.get(UPLOAD_KEY)
    if file is None:
        return
    try:
        scenario = saved_scenarios.parse_upload(file.getvalue())
        name = saved_scenarios.save(scenario.name or file.name.rsplit(".", 1)[0], scenario, None)
    except ValueError as exc:
        _say("error", f"{file.name} was not loaded: {exc}")
        return
    _say("success", f"Loaded “{name}” from {file.name}.")


st.subheader("Save the current scenario")
left, right = st.columns([3, 1], vertical_alignment="bottom")
left.text_input("Name", value=state.scenario().name[: saved_scenarios.MAX_NAME_CHARS], key=NAME_KEY,
                max_chars=saved_scenarios.MAX_NAME_CHARS,
                help="Saved scenarios last for this browser session; each keeps a link that reopens it, "
                     "and downloads as YAML.")
right.button("Save", key="_compare_save", on_click=_save, type="primary", width="stretch")
st.file_uploader("Or upload a scenario file (YAML, as downloaded here or a preset)", type=["yaml", "yml"],
                 key=UPLOAD_KEY, on_change=_uploaded, max_upload_size=1,
                 help="A scenario file is a few kB; it is checked like a preset, and a wrong field is named.")
message = st.session_state.get(MESSAGE)
if message:
    (st.error if message[0] == "error" else st.success)(md(message[1], 400))

kept = saved_scenarios.saved()
if kept:
    with st.expander(f"Saved scenarios ({len(kept)})", expanded=len(kept) < 2):
        for i, (name, item) in enumerate(kept.items()):
            cols = st.columns([4, 1, 1, 1], vertical_alignment="center")
            cols[0].markdown(f"**{md(name)}**")
            cols[1].button("Open", key=f"_compare_open_{i}", on_click=_open, args=(name,), width="stretch",
                           help="Make it the current scenario on every page.")
            cols[2].download_button("YAML", data=item.scenario.to_yaml(), file_name=f"scenario-{i + 1}.yaml",
                                    mime="application/x-yaml", key=f"_compare_yaml_{i}", on_click="ignore",
                                    width="stretch")
            cols[3].button("Remove", key=f"_compare_remove_{i}", on_click=_remove, args=(name,), width="stretch")
            st.code(state.share_link("compare", saved_scenarios.link_params(item)), language=None, wrap_lines=True)

names = list(kept)
if len(names) < 2:
    st.info("Save two or three scenarios to compare them: save this one, change an input on the Scenario page "
            "(or pick another preset), come back and save again.", icon="⚖️")
    st.stop()

picked = st.multiselect("Scenarios to compare (two or three; the first is the reference)", names,
                        default=names[-MAX_COMPARED:], max_selections=MAX_COMPARED, key=PICK_KEY)
if len(picked) < 2:
    st.info("Pick two or three saved scenarios.")
    st.stop()

plans = [(name, saved_scenarios.plan_of(kept[name])) for name in picked]
if any(p is None for _, p in plans):
    st.stop()
comparison = compare(plans)

cols = st.columns(len(comparison.answers))
for col, answer, delta in zip(cols, comparison.answers, comparison.deltas):
    reference = answer is comparison.answers[0]
    col.metric(md(answer.label, 80), usd_per_month(answer.month_1_usd),
               "reference" if reference else saved_scenarios.month_1_delta_text(delta),
               delta_color="off" if reference else "inverse", delta_arrow="off" if reference else "auto",
               help="Month 1 as paid, and the difference from the first scenario picked.")
    col.caption(md(answer.option_name or "No option meets the targets", 120))

st.dataframe(saved_scenarios.answers_table(comparison), hide_index=True, width="stretch")
st.subheader("Inputs that differ")
diff = saved_scenarios.differences_table(comparison)
if diff is None:
    st.caption("The scenarios have the same inputs.")
else:
    st.dataframe(diff, hide_index=True, width="stretch")
