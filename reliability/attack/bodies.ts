/**
 * Finding 3: POST /api/models read any body (100 MB: RSS +390 MB; six 250 MB at once: 2.9 GB),
 * and took cross-site text/plain posts. Replayed: big bodies are refused with 413 at the limit,
 * memory stays where it was, and a text/plain post gets 415 and inserts nothing.
 */
import { bigBody, http, mb, peakRss, rssMB, Verdict, type AttackContext, type Finding } from "./kit";

export async function bigBodies(context: AttackContext): Promise<Finding> {
  const verdict = new Verdict(3, "Request bodies are bounded (413) and only JSON is read (415)");
  const server = await context.server();
  const pid = server.process.pid!;
  const post = (body: string | AsyncIterable<Buffer>, contentType = "application/json") =>
    http(server.url, { method: "POST", path: "/api/models", headers: { "content-type": contentType, "transfer-encoding": "chunked" }, body, localAddress: "127.0.30.1" });

  // Warm the route first, so that its first compile-time allocations are not counted.
  await post(JSON.stringify({ value: "warm-up" }));
  const rssBefore = rssMB(pid);
  const one = await post(bigBody(context.sizes.bodyMB));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rssAfterOne = rssMB(pid);

  const { peakMB, result: many } = await peakRss(pid, () => Promise.all(Array.from({ length: context.sizes.bigBodies }, () => post(bigBody(context.sizes.bigBodyMB)))));
  const rssAfterMany = rssMB(pid);

  const plain = await post(JSON.stringify({ value: "cross-site" }), "text/plain");
  const { models } = JSON.parse((await http(server.url, { path: "/api/models" })).body) as { models: { value: string }[] };
  const inserted = models.some((model) => model.value === "cross-site");
  return verdict
    .figure(`one ${context.sizes.bodyMB} MB body`, `${one.status}`)
    .figure("RSS before → after it", `${mb(rssBefore)} → ${mb(rssAfterOne)}`)
    .figure(`${context.sizes.bigBodies} × ${context.sizes.bigBodyMB} MB at once`, many.map((answer) => answer.status).join(", "))
    .figure("RSS peak during them → after", `${mb(peakMB)} → ${mb(rssAfterMany)}`)
    .figure("text/plain post", `${plain.status}${inserted ? ", inserted" : ", nothing inserted"}`)
    .check(one.status === 413, `the ${context.sizes.bodyMB} MB body got ${one.status}`)
    .check(one.body.includes("16 KiB"), `the 413 does not name the limit: ${one.body.slice(0, 200)}`)
    .check(Math.abs(rssAfterOne - rssBefore) <= 20, `RSS moved by ${mb(rssAfterOne - rssBefore)} (±20 MB allowed)`)
    .check(many.every((answer) => answer.status === 413), `the big bodies got ${many.map((answer) => answer.status).join(", ")}`)
    .check(peakMB - rssBefore <= 50, `RSS peaked ${mb(peakMB - rssBefore)} above where it started`)
    .check(plain.status === 415 && !inserted, `the text/plain post got ${plain.status}${inserted ? " and was inserted" : ""}`)
    .done();
}
