// Plain-ASCII text for terminals that cannot show unicode (TERM=dumb, a C locale on Windows,
// QUEUE_DOCTOR_ASCII=1): the symbols queue-doctor's messages use get ASCII spellings, and
// anything else outside ASCII becomes '?', so nothing prints as mojibake.
const FOLD: Record<string, string> = {
  '→': '->', '←': '<-', '↑': '^', '↓': 'v', '×': 'x', '÷': '/', '≥': '>=', '≤': '<=', '≈': '~', '≠': '!=',
  '–': '-', '—': '--', '−': '-', '…': '...', '·': '-', '•': '*', '‘': "'", '’': "'", '“': '"', '”': '"',
  '∞': 'inf', 'µ': 'u', 'μ': 'u', '±': '+/-', '✔': 'OK', '✖': 'X', '⚠': '!', 'ℹ': 'i', '━': '=', '─': '-', '│': '|',
  '°': ' deg', '€': 'EUR', '£': 'GBP', '\u00a0': ' ', 'σ': 'sigma', 'λ': 'lambda', 'ρ': 'rho', '∈': 'in', '∑': 'sum', '√': 'sqrt',
};

export function asciiFold(text: string): string {
  if (/^[\u0000-\u007f]*$/.test(text)) return text;
  return text.replace(/[^\u0000-\u007f]/gu, (ch) => FOLD[ch] ?? (/[\u0300-\u036f]/.test(ch.normalize('NFD').slice(1)) ? ch.normalize('NFD')[0] : '?'));
}
