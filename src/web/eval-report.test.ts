import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { evaluate, type Evaluation } from "../eval/evaluate.ts";
import { replayLM } from "../providers/replay/replay-lm.ts";
import { scriptedLM } from "../providers/scripted/scripted-lm.ts";
import { defaultRegistry } from "../techniques/registry.ts";
import { artifactPath, launchChromium, skipWithoutChromium, watchPage } from "./testing/headless-chromium.ts";

const dir = mkdtempSync(join(tmpdir(), "lmx-report-"));
const sharedBank = fileURLToPath(
  new URL("../../../shared/replay/cruxeval-output.codellama-7b.bank.jsonl", import.meta.url),
);
const bankPath = existsSync(sharedBank) ? sharedBank : generatedBank();
const bank = readFileSync(bankPath, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as { id: string; question: string; samples: string[] });

/** Without the shared replay: 60 questions of 10 literal samples, the first split 4/3/3 like the real sample_0. */
function generatedBank(): string {
  console.log("# ../shared/replay is absent: the report tests use a generated bank");
  const path = join(dir, "generated.bank.jsonl");
  const lines = Array.from({ length: 60 }, (_, i) => {
    const samples =
      i === 0
        ? ["[1, 2]", "[1, 2]", "[1, 2]", "[1, 2]", "[2, 1]", "[2, 1]", "[2, 1]", "[3]", "[3]", "[3]"]
        : Array.from({ length: 10 }, (_, k) => `[${k % (1 + (i % 4)) === 0 ? i : i + 1}]`);
    return JSON.stringify({
      id: `sample_${i}`,
      question: `Predict the output of program ${i}.`,
      answer: `[${i}]`,
      samples,
    });
  });
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}
let evaluation: Evaluation;
let browser: Browser | undefined;

before(async () => {
  const replay = replayLM({ bank: bankPath });
  evaluation = await evaluate({
    data: bankPath,
    model: "replay:bank",
    techniques: ["self-consistency(n={1,5})", "adaptive-consistency(max=10)"],
    answer: "literal",
    limit: 60,
    out: join(dir, "report"),
    env: { registry: defaultRegistry(), resolveModel: () => replay },
  });
  if (!skipWithoutChromium) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("report.html is one self-contained file: no scripts, styles or images from elsewhere", () => {
  const html = readFileSync(evaluation.report!, "utf8");
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="(?!data:)|<img[^>]+src=|@import|url\(http/i);
  assert.match(html, /<svg class="accuracy-chart"/);
  assert.ok(
    statSync(evaluation.report!).size < 400_000,
    `60 questions × 3 runs should stay small, got ${statSync(evaluation.report!).size} bytes`,
  );
});

test(
  "in headless chromium: loads without errors, the chart plots every run, a question opens to its samples and votes",
  { skip: skipWithoutChromium },
  async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const seen = watchPage(page);
    await page.goto(pathToFileURL(evaluation.report!).href);
    await page.waitForSelector("tr.question");
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(
      seen.requests.filter((u) => !u.startsWith("file:")),
      [],
      "the page fetches nothing",
    );

    // One dot and one error bar per run; the frontier is marked.
    assert.equal(await page.locator("svg.accuracy-chart circle.point").count(), 3);
    assert.equal(await page.locator("svg.accuracy-chart line.error-bar").count(), 3);
    assert.ok((await page.locator("table.summary .front").count()) >= 1);
    const labels = await page.locator("table.summary tr.run-row td:nth-child(2)").allTextContents();
    assert.deepEqual(
      labels.map((l) => l.replace("◆", "").trim()),
      ["self-consistency(n=1)", "self-consistency(n=5)", "adaptive-consistency(max=10)"],
    );
    assert.equal(await page.locator("tr.question").count(), 60);
    await page.screenshot({ path: artifactPath("eval-report.png"), fullPage: false });

    // sample_0's ten recorded samples hold several answers: its drill-down shows them and the vote.
    await page.locator('tr.question[data-q="0"]').click();
    const detail = page.locator(".question-detail");
    await detail.waitFor();
    const runs = detail.locator(".run-detail");
    assert.equal(await runs.count(), 3);
    const sc5 = runs.nth(1);
    const samples = await sc5.locator("li.sample pre").allTextContents();
    assert.deepEqual(samples, bank[0]!.samples.slice(0, 5));
    const chips = await sc5.locator(".votes .chip").allTextContents();
    assert.ok(
      chips.some((c) => c.endsWith("×4")),
      `votes: ${chips}`,
    );
    assert.match((await sc5.locator("h3").textContent()) ?? "", /self-consistency\(n=5\)/);
    // Each run's panel names its trace and the command that opens it.
    const traceId = (await sc5.locator(".trace-link code.trace-id").textContent()) ?? "";
    assert.match(traceId, /^[0-9a-f-]{36}$/);
    assert.match(
      (await sc5.locator(".trace-link").textContent()) ?? "",
      new RegExp(`lmx trace ${traceId} --results .*results\\.sqlite`),
    );
    await detail.screenshot({ path: artifactPath("eval-report-question.png") });

    // Filters narrow the list without errors.
    await page.selectOption("#filter-kind", "disagree");
    const disagreeing = await page.locator("tr.question").count();
    assert.ok(disagreeing < 60);
    await page.fill("#filter-text", "sample_1");
    assert.ok((await page.locator("tr.question").count()) <= disagreeing);
    assert.deepEqual(seen.errors, []);
    await page.close();
  },
);

test(
  "questions, answers and model outputs holding </script>, HTML and quotes show as text and run nothing",
  { skip: skipWithoutChromium },
  async () => {
    const evil = `</script><script>window.injected = 1</script><img src=x onerror="window.injected = 2"> "double" 'single' &amp; <!--`;
    const data = join(dir, "evil.jsonl");
    writeFileSync(data, JSON.stringify({ id: `q<b>"1"`, question: `Question ${evil}`, answer: `Gold ${evil}` }) + "\n");
    const model = scriptedLM(() => `Output ${evil} The answer is ${evil}`);
    const run = await evaluate({
      data,
      model: "scripted:test",
      techniques: [`self-consistency(n=2)`],
      out: join(dir, "evil"),
      env: { registry: defaultRegistry(), resolveModel: () => model },
    });
    assert.doesNotMatch(
      readFileSync(run.report!, "utf8"),
      /<script>window\.injected|<img src=x/,
      "no markup from the data reaches the page source",
    );
    const page = await browser!.newPage();
    const seen = watchPage(page);
    await page.goto(pathToFileURL(run.report!).href);
    await page.locator("tr.question").first().click();
    const detail = page.locator(".question-detail");
    await detail.waitFor();
    assert.equal(await page.evaluate(() => (window as { injected?: number }).injected), undefined);
    assert.equal(await page.locator("img").count(), 0);
    assert.equal(await detail.locator("pre").first().textContent(), `Question ${evil}`);
    assert.match(
      (await detail.textContent()) ?? "",
      /Reference answer: Gold <\/script><script>window\.injected = 1<\/script>/,
    );
    assert.equal(await page.locator("tr.question td").first().textContent(), `q<b>"1"`);
    assert.deepEqual(seen.errors, []);
    await page.close();
  },
);
