import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium (`apt-get install -y chromium`), which CI installs too. */
export const CHROMIUM = "/usr/bin/chromium";

/** A skip reason for browser tests when chromium is missing, else false. */
export const skipWithoutChromium: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install -y chromium); browser test skipped`;

/** Headless chromium, offline-minded: no background networking, no updates, no sync. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Collects a page's console errors and uncaught exceptions, and every URL it requests. */
export function watchPage(page: Page): { errors: string[]; requests: string[] } {
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  return { errors, requests };
}

/** `test-artifacts/<name>` at the repository root (gitignored), its folder created. */
export function artifactPath(name: string): string {
  const dir = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
