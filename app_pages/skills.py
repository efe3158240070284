"""Skills: where competence is missing, who already holds it, and who to ask."""

import math

import pandas as pd
import plotly.express as px
import streamlit as st

from lib.analysis import netmap, skills, smn
from lib.app import tables, ui
from lib.core import privacy
from lib.report import definitions, map_html

ui.guard("skills")  # stops here for a role that may not open this page
ds = ui.dataset()
s = ui.settings()
st.title("🧩 Skills: gaps, coverage and subject-matter networks")
st.write(
    "From curricula to competencies, and from single experts to subject-matter networks: where the "
    "required levels are not reached, how many people hold each skill, whether those holders form a "
    "network others can reach, and who to ask."
)
ui.require(
    len(ds.skills) > 0,
    "This dataset has no skills sheet: add current levels (and role_skills) to see this page.",
)

waves = skills.skill_waves(ds)
c1, c2 = st.columns(2)
wave = c1.selectbox("Wave", waves, index=len(waves) - 1, key="skills_wave") if waves else None
level = c2.slider(
    "Holder level",
    1.0,
    5.0,
    skills.DEFAULT_HOLDER_LEVEL,
    0.5,
    key="skills_holder_level",
    help="A holder's current level is at least this (3 = can do the work unaided; 4 = can teach it).",
)
labels: dict[str, str] = ui.compute(privacy.person_labels, s.pseudonyms) if s.individuals_visible else {}
m = s.min_group_size
teams = sorted(set(ds.people["team"].dropna().astype(str).str.strip()) - {""})


def named(df: pd.DataFrame, cols: tuple[str, ...] = ("person_id", "ask_id")) -> pd.DataFrame:
    """Person ids shown as names or pseudonyms (the named view's labels), never raw ids."""
    out = df.copy()
    for c in cols:
        if c in out:
            out[c] = out[c].map(labels).fillna("")
    return out.rename(columns={"person_id": "person", "ask_id": "ask"})


SECTIONS = ["Gaps", "Coverage", "Subject-matter networks", "Who to ask", "Skill profiles"]
section = st.segmented_control("Show", SECTIONS, default="Gaps", key="skills_section") or "Gaps"

if section == "Gaps":
    st.subheader("Biggest gaps", help=definitions.text("gap_table"))
    rank = st.radio(
        "Rank by",
        ["total", "share"],
        horizontal=True,
        key="skills_rank",
        format_func={"total": "Total levels missing", "share": "Share of people affected"}.get,
    )
    top = privacy.suppress_small_groups(
        ui.compute(skills.top_gaps, wave, rank), "people", m, value_cols=skills.GAP_VALUE_COLUMNS
    )
    tables.show(privacy.shown(top), key="skills-top-gaps")
    st.caption(
        " · ".join(f"**{b.name}**: {b.meaning}" for b in skills.SEVERITY_BANDS)
        + ". "
        + privacy.suppression_note(top, m)
    )
    by_options = ["team", "role", *(["person"] if s.individuals_visible else [])]
    by = st.radio("Gap heatmap by", by_options, horizontal=True, key="skills_heat_by")
    if by == "person":
        team = st.selectbox("Team", teams, key="skills_heat_team")
        cells = ui.compute(skills.person_gaps, wave)
        cells = named(cells[cells["team"] == team])
        grid = cells.pivot_table(index="person", columns="skill", values="gap", aggfunc="mean", dropna=False)
    else:
        cells = ui.compute(skills.group_gap_cells, wave, by, m, not s.individuals_visible)
        grid = privacy.shown(cells).pivot_table(index=by, columns="skill", values="mean_gap")
        st.caption(privacy.suppression_note(cells, m) + " Blank = hidden or no requirement.")
    if len(grid):
        fig = px.imshow(
            grid,
            color_continuous_scale="OrRd",
            zmin=0,
            aspect="auto",
            labels={"color": "gap" if by == "person" else "mean gap"},
            height=max(320, 24 * len(grid) + 180),
        )
        st.plotly_chart(fig, key="skills_heatmap")
    ui.download_table(privacy.shown(cells), f"skill_gaps_by_{by}.csv")

elif section == "Coverage":
    cov = ui.compute(skills.coverage, wave, level)
    st.subheader("Coverage: how many people hold each skill", help=definitions.text("coverage"))
    thin = cov[cov["flag"].isin(["nobody", "single"])]
    if len(thin):
        st.warning(
            "Held by one person or nobody: "
            + ", ".join(f"{r.skill} ({r.holders})" for r in thin.itertuples())
        )
    long = cov.melt(
        id_vars="skill",
        value_vars=[f"at_least_{i}" for i in range(1, 6)],
        var_name="level",
        value_name="people",
    )
    long["level"] = "≥ " + long["level"].str[-1]
    st.plotly_chart(px.bar(long, x="skill", y="people", color="level", barmode="group"), key="skills_cov")
    tables.show(cov, key="skills-coverage")
    ui.download_table(cov, "skill_coverage.csv")
    if len(waves) >= 2:
        st.subheader("Change between waves", help=definitions.text("coverage_change"))
        b1, b2 = st.columns(2)
        before = b1.selectbox("From", waves, index=len(waves) - 2, key="skills_from")
        after = b2.selectbox("To", waves, index=len(waves) - 1, key="skills_to")
        tables.show(ui.compute(skills.coverage_change, before, after, level), key="skills-coverage-change")

elif section == "Subject-matter networks":
    st.subheader("Are the holders a network?", help=definitions.text("subject_matter_networks"))
    net = ui.compute(smn.shareable_networks, wave, level, m)
    tables.show(net, key="skills-smn")
    st.caption(
        "Shares over fewer than "
        + f"{m} people are left blank. "
        + "; ".join(f"**{name}**: {meaning}" for name, meaning in smn.VERDICTS)
        + "."
    )
    ui.download_table(net, "subject_matter_networks.csv")
    if s.individuals_visible:
        skill = st.selectbox("Map one skill's network", list(net["skill"]), key="skills_map_skill")
        smap = ui.compute(smn.skill_map, skill, wave, level, "pseudonyms" if s.pseudonyms else "names")
        st.iframe(
            map_html.render_html(smap, height=520), height=540, alt=f"Subject-matter network for {skill}"
        )
        st.caption(netmap.map_summary(smap))
    else:
        st.info("The map of one skill's holders and seekers shows individuals: switch to the named view.")

elif section == "Who to ask":
    if not s.individuals_visible:
        st.info("Who to ask and the introductions list name individuals: available in the named view only.")
    else:
        st.subheader("Who to ask", help=definitions.text("who_to_ask"))
        gaps = ui.compute(skills.person_gaps, wave)
        ids = list(dict.fromkeys(gaps.loc[gaps["status"] == "gap", "person_id"])) or list(
            ds.people["person_id"]
        )
        a1, a2 = st.columns(2)
        person = a1.selectbox("Person", ids, format_func=lambda p: labels.get(p, p), key="skills_ask_person")
        own = gaps[(gaps["person_id"] == person) & (gaps["status"] == "gap")]["skill"].tolist()
        skill = a2.selectbox(
            "Skill (their gaps first)",
            own + [k for k in skills.all_skills(ds) if k not in own],
            key="skills_ask_skill",
        )
        ask = ui.compute(smn.who_to_ask, person, skill, wave, level)
        tables.show(named(ask), key="skills-who-to-ask")
        st.subheader("Introductions list for a team", help=definitions.text("introductions"))
        t1, t2 = st.columns(2)
        team = t1.selectbox("Team", teams, key="skills_intro_team")
        cap = t2.number_input("At most introductions per expert", 1, 20, smn.DEFAULT_CAP, key="skills_cap")
        intro = named(ui.compute(smn.introductions, team, wave, level, int(cap)))
        tables.show(intro, key="skills-introductions")
        ui.download_table(intro, f"introductions_{team}.csv")

else:
    st.subheader("Skill-profile clusters vs formal teams", help=definitions.text("skill_clusters"))
    cl = ui.compute(skills.skill_clusters, wave)
    if cl.note:
        st.caption(cl.note)
    if cl.k == 0:
        st.info(f"No clusters: {cl.reason}.")
    else:
        k1, k2 = st.columns(2)
        k1.metric("Clusters (best silhouette)", cl.k)
        k2.metric(
            "Agreement with teams (ARI)",
            "–" if math.isnan(cl.ari_vs_team) else f"{cl.ari_vs_team:.2f}",
            help=definitions.text("ari_vs_team"),
        )
        st.line_chart(cl.silhouette, x_label="k", y_label="mean silhouette")
        prof = privacy.suppress_small_groups(
            cl.profiles, "people", m, value_cols=[c for c in cl.profiles.columns[3:]]
        )
        tables.show(privacy.shown(prof), key="skills-profiles")
        st.caption(privacy.suppression_note(prof, m))
        if s.individuals_visible:
            who = named(cl.assignments)
            tables.show(who, key="skills-clusters")
            ui.download_table(who, "skill_clusters.csv")
