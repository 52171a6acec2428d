// Python-style numeric log levels, as JARVICE_POD_SCHED_LOGLEVEL sets them:
// 10 debug (one line per disqualified node), 20 info, 30 warning, 40 error.
export type Logger = (level: number, msg: string) => void;

const NAMES: Record<number, string> = { 10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR" };

export function levelLogger(threshold: number, component: string, out: (line: string) => void = (l) => process.stdout.write(l + "\n")): Logger {
  return (level, msg) => {
    if (level >= threshold) out(`${new Date().toISOString()} ${NAMES[level] ?? `LEVEL${level}`} ${component}: ${msg}`);
  };
}
