import type { AnalysedConstituency, BatchAnalysis } from "../../aggregate/batch-analysis.js";
import { coverageRatio } from "../../aggregate/coverage.js";
import type { Station } from "../../aggregate/stations.js";
import { FORM_KINDS, type FormKind } from "../../forms/form-kind.js";
import type { Reference } from "../../reference/reference.js";
import { fieldSum, REPORTED_BALLOT_FIELDS, rowNumbers, rowSum } from "../../aggregate/area-totals.js";
import { constituencyName, integer, PARTIAL_SUM_NOTE, percent, sumTextThai } from "../area-names.js";
import type { ReportMeta } from "../summary-md.js";
import { placeBarChart } from "./charts.js";
import { completeFormsNote, completeVotes, DEFAULT_BAR_COLOR, partyColor, partyLabel, shortPath } from "./labels.js";
import { COLORS, PdfReport } from "./pdf-report.js";
import type { ThaiFonts } from "./thai-fonts.js";

const KIND_THAI: Record<FormKind, string> = { constituency: "แบ่งเขต", party_list: "บัญชีรายชื่อ" };
const STATUS_THAI = { verified: "ตรวจสอบแล้ว", needs_review: "ต้องตรวจทาน", failed: "ไม่สำเร็จ" } as const;

function signed(value: number): string {
  return (value > 0 ? "+" : "") + value.toLocaleString("en-US");
}

/** Per-constituency report: candidates with names and parties, votes, chart, stations and status. */
export async function buildConstituencyReport(
  fonts: ThaiFonts,
  analysis: BatchAnalysis,
  area: AnalysedConstituency,
  stations: readonly Station[],
  meta: ReportMeta,
  reference: Reference | undefined,
): Promise<PdfReport> {
  const name = constituencyName(area.key, reference);
  const report = new PdfReport(fonts, { title: `ballot-ocr: ${name}`, subject: "Constituency report" });
  const official = reference?.official?.constituencies.get(area.key);
  const coverage = analysis.comparison.coverage.constituencies.get(area.key);
  report.heading(`รายงานผลคะแนน ${name.replace(" เขต ", " เขตเลือกตั้งที่ ")}`, 1);
  report.text(`Constituency ${area.key} · จัดทำเมื่อ ${meta.generatedAt}`, { color: COLORS.muted, gap: 6 });

  report.facts(
    FORM_KINDS.map((kind): [string, string] => {
      const c = coverage?.[kind];
      const forms = area.totals[kind].forms;
      if (!c) return [`แบบ${KIND_THAI[kind]}`, `${forms} forms`];
      const units = `${c.unitsProcessed} / ${c.unitsInReference ?? "?"} หน่วยเลือกตั้ง (${percent(coverageRatio(c))})`;
      return [
        `ความครอบคลุม ${KIND_THAI[kind]}`,
        `${units}; ชุดล่วงหน้า ${c.advanceSetsProcessed}; ${c.complete ? "ครบ (complete)" : "ยังไม่ครบ (partial: no comparison)"}`,
      ];
    }),
  );

  // Candidates
  const totals = area.totals.constituency;
  const rows = [
    ...new Set([
      ...rowNumbers(totals),
      ...(reference && area.provinceId ? reference.candidates(area.provinceId, area.constituency).map((c) => c.number) : []),
    ]),
  ].sort((a, b) => a - b);
  report.heading("ผู้สมัครแบบแบ่งเขต · Candidates", 2);
  if (totals.forms === 0) report.text("ยังไม่มีแบบแบ่งเขต (no constituency forms processed)", { color: COLORS.muted });
  else {
    // A difference is only meaningful when every polling unit is in; otherwise it is not shown.
    const complete = coverage?.constituency.complete ?? false;
    // Shares and the chart come from the forms with every vote read, and only those.
    const shares = completeVotes(totals);
    const candidateRows = rows.map((row) => {
      const candidate = reference && area.provinceId ? reference.candidate(area.provinceId, area.constituency, row) : null;
      const votes = rowSum(totals, row);
      const officialVotes = candidate ? official?.candidateVotes.get(candidate.id) : undefined;
      const completeRow = shares.rows.find((r) => r.number === row)?.votes ?? 0;
      return [
        String(row),
        candidate?.name ?? "–",
        candidate?.party?.name ?? (candidate ? "ไม่สังกัดพรรค" : "–"),
        sumTextThai(votes),
        percent(shares.total > 0 ? completeRow / shares.total : null),
        officialVotes === undefined ? "–" : integer(officialVotes),
        officialVotes === undefined || !complete || votes.unread > 0 ? "–" : signed(votes.known - officialVotes),
      ];
    });
    report.table(
      [
        { header: "เบอร์", width: 0.6, align: "center" },
        { header: "ชื่อผู้สมัคร", width: 3 },
        { header: "พรรค", width: 2 },
        { header: "คะแนน", width: 1.4, align: "right" },
        { header: "ร้อยละ", width: 0.9, align: "right" },
        { header: "ผลทางการ", width: 1.2, align: "right" },
        { header: "ต่าง", width: 0.9, align: "right" },
      ],
      candidateRows,
    );
    if (rows.some((row) => rowSum(totals, row).unread > 0)) report.text(PARTIAL_SUM_NOTE, { size: 8, color: COLORS.muted });
    report.text(`ร้อยละและกราฟ${completeFormsNote(shares)}`, { size: 8, color: COLORS.muted });
    if (!complete && official) {
      report.text(
        "ผลทางการเป็นยอดทั้งเขต; ยังประมวลผลไม่ครบทุกหน่วย จึงไม่แสดงส่วนต่าง (official figures are for the whole constituency; coverage is partial, so no difference is shown)",
        { size: 8, color: COLORS.muted },
      );
    }
    if (shares.completeForms === 0) {
      report.text("ยังไม่มีแบบแบ่งเขตที่อ่านครบทุกช่อง จึงไม่แสดงกราฟ · no constituency form has every vote read yet, so no chart", {
        size: 9,
        color: COLORS.muted,
      });
    } else {
      const chartRows = rows.map((row) => {
        const candidate = reference && area.provinceId ? reference.candidate(area.provinceId, area.constituency, row) : null;
        return {
          label: candidate ? `${row} ${candidate.name.replace(/^(นางสาว|นาง|นาย)/, "")}` : `หมายเลข ${row}`,
          votes: shares.rows.find((r) => r.number === row)?.votes ?? 0,
          color: candidate?.party ? partyColor(candidate.party.number, reference) : DEFAULT_BAR_COLOR,
        };
      });
      const height = Math.min(900, 140 + 62 * chartRows.length);
      placeBarChart(
        report,
        {
          title: `คะแนนผู้สมัคร ${name} (แบบฟอร์มที่อ่านครบ ${shares.completeForms} ฉบับ)`,
          labels: chartRows.map((r) => r.label),
          values: chartRows.map((r) => r.votes),
          colors: chartRows.map((r) => r.color),
          horizontal: true,
          height,
          valueLabel: "คะแนน (votes)",
        },
        report.width * 0.9,
      );
    }
  }

  // Ballot totals by kind, with the official figures
  report.heading("บัตรเลือกตั้ง · Ballots", 2);
  const ballotRows = FORM_KINDS.flatMap((kind) => {
    const t = area.totals[kind];
    const o = official ? (kind === "constituency" ? official.constituency : official.partyList) : null;
    const ours = [`${KIND_THAI[kind]} (แบบฟอร์ม ${t.forms})`, ...REPORTED_BALLOT_FIELDS.map((field) => sumTextThai(fieldSum(t, field)))];
    return o
      ? [ours, [`${KIND_THAI[kind]} ผลทางการ`, integer(o.turnout), integer(o.valid), integer(o.invalid), integer(o.noVote)]]
      : [ours];
  });
  report.table(
    [
      { header: "ประเภท", width: 1.6 },
      { header: "บัตรที่ใช้", width: 1.2, align: "right" },
      { header: "บัตรดี", width: 1.2, align: "right" },
      { header: "บัตรเสีย", width: 1.2, align: "right" },
      { header: "ไม่เลือกผู้ใด", width: 1.2, align: "right" },
    ],
    ballotRows,
  );
  const partialBallots = FORM_KINDS.some((kind) => REPORTED_BALLOT_FIELDS.some((field) => fieldSum(area.totals[kind], field).unread > 0));
  if (partialBallots) report.text(PARTIAL_SUM_NOTE, { size: 8, color: COLORS.muted });

  // Party-list: ranked by the forms read in full; the sums over every form stay honest.
  const partyList = area.totals.party_list;
  if (partyList.forms > 0) {
    report.heading("คะแนนบัญชีรายชื่อ · Party-list votes (top 10)", 2);
    const shares = completeVotes(partyList);
    if (shares.completeForms === 0) {
      report.text(
        `ยังไม่มีแบบบัญชีรายชื่อที่อ่านครบทุกช่อง จึงไม่จัดอันดับ (${shares.leftOut} ฉบับยังอ่านไม่ครบ) · no party-list form has every vote read yet, so no ranking (${shares.leftOut} left out)`,
        { size: 9, color: COLORS.muted },
      );
    } else {
      const parties = shares.rows.slice(0, 10);
      report.table(
        [
          { header: "พรรค", width: 3 },
          { header: "คะแนน (ทุกฉบับ)", width: 1.4, align: "right" },
          { header: "ร้อยละ", width: 0.8, align: "right" },
          { header: "ผลทางการ", width: 1, align: "right" },
        ],
        parties.map(({ number, votes }) => {
          const o = official?.partyListVotes.get(number);
          return [
            partyLabel(number, reference),
            sumTextThai(rowSum(partyList, number)),
            percent(shares.total > 0 ? votes / shares.total : null),
            o === undefined ? "–" : integer(o),
          ];
        }),
      );
      report.text(`อันดับและร้อยละ${completeFormsNote(shares)}`, { size: 8, color: COLORS.muted });
    }
  }

  const discrepancies = analysis.comparison.discrepancies.filter((d) => d.area === area.key);
  if (discrepancies.length > 0) {
    report.heading("ความคลาดเคลื่อน · Discrepancies", 2);
    report.table(
      [
        { header: "ระดับ", width: 0.9 },
        { header: "รายการ", width: 3 },
        { header: "จากแบบฟอร์ม", width: 1, align: "right" },
        { header: "ผลทางการ", width: 1, align: "right" },
        { header: "ต่าง", width: 1, align: "right" },
      ],
      discrepancies.map((d) => [
        d.severity,
        `${KIND_THAI[d.kind]} ${d.measure}${d.subject ? ` ${d.subject}` : ""}`,
        integer(d.ours),
        integer(d.official),
        `${signed(d.difference)} (${percent(d.relative)})`,
      ]),
      { rowColor: (i) => COLORS[discrepancies[i]?.severity ?? "minor"] },
    );
  }

  // Stations
  report.heading("หน่วยเลือกตั้งและสถานะ · Stations", 2);
  const stationRows = stations.flatMap((station) =>
    FORM_KINDS.flatMap((kind) => {
      const form = station.forms[kind];
      if (!form) return [];
      const where = [
        form.formCode ?? "?",
        form.subdistrict ?? "",
        form.unit !== null ? `หน่วย ${form.unit}` : "",
        form.setNumber !== null ? `ชุด ${form.setNumber}` : "",
      ]
        .filter((p) => p)
        .join(" ");
      const dup = station.duplicates.filter((d) => d.formKind === kind).length;
      return [
        {
          status: form.status,
          cells: [
            where,
            KIND_THAI[kind],
            STATUS_THAI[form.status] + (dup > 0 ? ` · ซ้ำ ${dup}` : ""),
            integer(form.counts.ballotsUsed),
            shortPath(form.path),
          ],
        },
      ];
    }),
  );
  report.table(
    [
      { header: "หน่วย/ชุด", width: 2 },
      { header: "ประเภท", width: 1 },
      { header: "สถานะ", width: 1.3 },
      { header: "บัตรที่ใช้", width: 0.9, align: "right" },
      { header: "ไฟล์", width: 2.6 },
    ],
    stationRows.map((r) => r.cells),
    { rowColor: (i) => COLORS[stationRows[i]?.status ?? "verified"] },
  );

  const anomalies = analysis.anomalies.filter((a) => a.constituencyKey === area.key);
  if (anomalies.length > 0) {
    report.heading("ค่าผิดปกติ · Anomalies", 2);
    for (const a of anomalies.slice(0, 15)) {
      const metric = a.metric === "candidateShare" ? `สัดส่วนคะแนนผู้สมัครเบอร์ ${a.row}` : a.metric;
      report.text(`${shortPath(a.form.path)}: ${metric} ${percent(a.value)} (มัธยฐาน ${percent(a.median)}, z ${a.score.toFixed(1)})`, {
        size: 9,
      });
    }
  }
  report.footer(`ballot-ocr · ${name} · ${meta.generatedAt}`);
  return report;
}
