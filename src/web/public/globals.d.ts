// Globals the page sets for the browser test and the web bench to read (see core.js, review.js).
interface Window {
  __timings?: unknown;
  __reviewSeconds?: number[];
}
