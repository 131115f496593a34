/**
 * Kubernetes resource quantities (apimachinery pkg/api/resource): their syntax, and their value
 * so that two can be compared (a quota's requests against its limits, or against what the
 * tenant's workloads ask for). Doubles are exact enough for that: the values compared are cores
 * and bytes of one namespace, far from where a double loses whole units.
 */

/**
 * The syntax the API server accepts. kubernetes-models checks a looser pattern (it takes SI
 * prefixes the API server does not, such as "h" and "da"), and says nothing of sign.
 */
export const QUANTITY_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

const SUFFIX: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a quantity in base units (cores, bytes, objects); undefined when it is not one. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) return undefined;
  const sign = text.startsWith('-') ? -1 : 1;
  const number = Number(match[1]);
  const suffix = match[2] ?? '';
  // "1E" is exa, "1E3" an exponent: the pattern tells them apart by the digits after.
  const factor = /^[eE][+-]?\d+$/.test(suffix) ? 10 ** Number(suffix.slice(1)) : SUFFIX[suffix];
  return factor === undefined ? undefined : sign * number * factor;
}

/** CPU for a message: whole cores as "4", the rest in millicores as "4350m" (rounded up). */
export function formatCpu(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.ceil(Math.round(cores * 1e6) / 1e3)}m`;
}

/** Memory or storage for a message: in Gi when whole, else in Mi (rounded up). */
export function formatBytes(bytes: number): string {
  const gi = bytes / 2 ** 30;
  return Number.isInteger(gi) ? `${gi}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`;
}
