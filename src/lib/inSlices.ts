// A pass over many items that lets the event loop breathe: `each` runs on
// `slice` items at a time, with a turn of the event loop (setImmediate)
// between slices, so requests that arrived meanwhile are answered in between.
// A resync's pass over 10,000 active jobs run in one go held the loop for
// hundreds of milliseconds, and every submission waiting then waited as long.
export async function inSlices<T>(items: Iterable<T>, each: (item: T) => void, slice = 256): Promise<void> {
  let n = 0;
  for (const item of items) {
    each(item);
    if (++n % slice === 0) await new Promise<void>((r) => setImmediate(r));
  }
}
