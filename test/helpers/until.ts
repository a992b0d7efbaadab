// Waits for a condition that some event will make true (a stream released, a key written), checking
// it on every turn of the event loop until a generous deadline. The deadline only turns a hang into a
// failure; it never decides a pass.
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
