// Run axe-core in headless Chromium on each URL given; print one JSON object per page.
// Usage: NODE_PATH=var/node/node_modules node axe_check.cjs URL...
const fs = require("fs");
const puppeteer = require("puppeteer-core");

const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const results = [];
  try {
    for (const url of process.argv.slice(2)) {
      for (const [width, scheme] of [[1280, "light"], [360, "light"], [360, "dark"]]) {
        const page = await browser.newPage();
        await page.setViewport({ width, height: 900 });
        await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
        await page.goto(url, { waitUntil: "load" });
        // Evaluated over the DevTools protocol, so the page's strict CSP stays in force.
        await page.evaluate(axeSource);
        const outcome = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
        results.push({
          url,
          width,
          scheme,
          violations: outcome.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
          })),
        });
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
})().catch((error) => {
  console.error(error);
  process.exit(2);
});
