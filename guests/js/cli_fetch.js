// cli-fetch in JavaScript (componentize-js, StarlingMonkey): reads its
// arguments and environment, both clocks and random numbers, then fetches
// JSON from a (mocked) upstream and prints what came back.
import { getArguments, getEnvironment } from "wasi:cli/environment@0.2.12";

async function main() {
  console.log(`args: ${getArguments().join(" ")}`);
  for (const [k, v] of getEnvironment()) console.log(`env ${k}=${v}`);
  console.log(`date: ${new Date().toISOString()}`);
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  console.log(`random: ${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`);
  console.log(`math.random: ${Math.random()}`);
  const response = await fetch("https://api.example.com/v1/items?limit=2", { headers: { accept: "application/json" } });
  console.log(`GET /v1/items: ${response.status} ${response.headers.get("content-type")}`);
  console.log(`body: ${await response.text()}`);
}

export const run = {
  async run() {
    await main();
  },
};
