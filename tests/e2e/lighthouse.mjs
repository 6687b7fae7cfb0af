// Lighthouse (node_modules, pinned in package.json) on a list of pages, for tests/e2e/lighthouse.py.
// One Chromium per colour scheme serves every page of that scheme (a Chromium and a Lighthouse start per page would
// double the run). The signed-out pages come first; then the resident's cookies go into the browser's cookie jar
// (Lighthouse's storage reset keeps cookies; a Cookie header would lose to the jar's own csrftoken).
// Reads a job as JSON on stdin; writes one JSON line per page as soon as it is audited:
// {scheme, name, url, finalUrl, runtimeError, categories, audits} (audits: only those the categories weigh).
//
// job = {chrome, categories, maxWaitForLoad, schemes: {light: [chrome flags], dark: [...]},
//        cookies: [{name, value, url}], pages: [{name, url, signedIn}]}
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

function summary(scheme, page, lhr) {
  const categories = {};
  const audits = {};
  for (const [id, category] of Object.entries(lhr.categories)) {
    categories[id] = { score: category.score, auditRefs: category.auditRefs };
    for (const ref of category.auditRefs) audits[ref.id] = lhr.audits[ref.id];
  }
  return {
    scheme,
    name: page.name,
    url: page.url,
    finalUrl: lhr.finalDisplayedUrl,
    runtimeError: lhr.runtimeError ? `${lhr.runtimeError.code}: ${lhr.runtimeError.message}` : null,
    categories,
    audits,
  };
}

const job = JSON.parse(await readStdin());
const pages = [...job.pages.filter((page) => !page.signedIn), ...job.pages.filter((page) => page.signedIn)];
for (const [scheme, flags] of Object.entries(job.schemes)) {
  const browser = await puppeteer.launch({
    executablePath: job.chrome,
    headless: true,
    defaultViewport: null,
    args: ["--no-sandbox", ...flags],
  });
  try {
    const tab = await browser.newPage();
    // A Chromium that ignored the flag would audit the light pages twice and call it dark: refuse instead.
    const dark = await tab.evaluate(() => matchMedia("(prefers-color-scheme: dark)").matches);
    if (dark !== (scheme === "dark")) throw new Error(`Chromium did not take the ${scheme} colour scheme (${flags})`);
    let signedIn = false;
    for (const page of pages) {
      if (page.signedIn && !signedIn) {
        await tab.setCookie(...job.cookies);
        signedIn = true;
      }
      const result = await lighthouse(
        page.url,
        {
          onlyCategories: job.categories,
          maxWaitForLoad: job.maxWaitForLoad,
          disableFullPageScreenshot: true,
          logLevel: "error",
        },
        undefined,
        tab,
      );
      process.stdout.write(JSON.stringify(summary(scheme, page, result.lhr)) + "\n");
    }
  } finally {
    await browser.close();
  }
}
