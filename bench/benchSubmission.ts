// The job the benchmarks submit: `sleep N` of the demo app on one n4 node, as
// a JARVICE script would send it to /jarvice/submit.
export interface BenchUser {
  username: string;
  apikey: string;
}

export const submission = (user: BenchUser, seconds: number) => ({
  app: "demo",
  application: { command: "sleep", parameters: { seconds } },
  machine: { type: "n4", nodes: 1 },
  user,
});
