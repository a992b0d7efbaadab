// Noisy variants of prompts: the prompt with an odd prefix and/or suffix (bracketed ids, ticket ids,
// UUIDs, hashes, versions, markup, markdown, code, JSON, emoji, paths, URLs, other-language
// sentences, timestamps, signatures, tags). A benign prompt stays benign whatever is pasted around
// it; the first detector scored "Tell me about giraffes. [c0-99]" 0.80 because short benign prompts
// with punctuation-heavy tails look like the adversarial suffixes (GCG, DSN) in the jailbreak data.
//
// Every family has two disjoint template sets (and word lists): `train` for augmentation and
// `heldout` for calibrating the threshold and for the figures, so those measure noise the
// training never saw. Seeded and order-independent: a text's variant depends only on the text,
// the family, the split and the seed.
import { createRng, fnv1a } from './prng.js';

export type TemplateSplit = 'train' | 'heldout';
type Rng = () => number;
type Template = (g: Draw) => string;

export interface Variant {
  text: string;
  family: string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Random pieces for templates, from one rng and one split's word lists. */
class Draw {
  constructor(
    readonly rng: Rng,
    private readonly words: Words,
  ) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rng() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)] as T;
  }
  letter(): string {
    return this.pick([...LETTERS]);
  }
  upper(n: number): string {
    return Array.from({ length: n }, () => this.letter().toUpperCase()).join('');
  }
  digits(n: number): string {
    return Array.from({ length: n }, () => String(this.int(0, 9))).join('');
  }
  hex(n: number): string {
    return Array.from({ length: n }, () => '0123456789abcdef'[this.int(0, 15)]).join('');
  }
  uuid(): string {
    return `${this.hex(8)}-${this.hex(4)}-4${this.hex(3)}-${this.pick(['8', '9', 'a', 'b'])}${this.hex(3)}-${this.hex(12)}`;
  }
  word(): string {
    return this.pick(this.words.nouns);
  }
  Word(): string {
    const w = this.word();
    return `${w[0]!.toUpperCase()}${w.slice(1)}`;
  }
  name(): string {
    return this.pick(this.words.names);
  }
  date(): { y: number; m: string; d: string; hh: string; mm: string; ss: string } {
    const pad = (n: number) => String(n).padStart(2, '0');
    return { y: this.int(2015, 2026), m: pad(this.int(1, 12)), d: pad(this.int(1, 28)), hh: pad(this.int(0, 23)), mm: pad(this.int(0, 59)), ss: pad(this.int(0, 59)) };
  }
}

interface Words {
  nouns: readonly string[];
  names: readonly string[];
}

const WORDS: Record<TemplateSplit, Words> = {
  train: {
    nouns: ['report', 'draft', 'notes', 'budget', 'garden', 'invoice', 'server', 'recipe', 'travel', 'meeting', 'project', 'summary', 'photo', 'music', 'lesson', 'weather', 'client', 'backup', 'config', 'review'],
    names: ['Anna', 'Ben', 'Carlos', 'Dana', 'Erik', 'Fatima', 'George', 'Hana', 'Ivan', 'Julia'],
  },
  heldout: {
    nouns: ['ledger', 'orchard', 'kernel', 'poster', 'harbor', 'lantern', 'quarterly', 'workshop', 'archive', 'canvas', 'pipeline', 'schedule', 'museum', 'puzzle', 'voyage', 'sketch', 'tutorial', 'cluster', 'memo', 'palette'],
    names: ['Kofi', 'Lena', 'Mateo', 'Nadia', 'Oscar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomoko'],
  },
};

/** Per family: [train templates, held-out templates]. */
const FAMILIES: Record<string, Record<TemplateSplit, readonly Template[]>> = {
  'bracket-id': {
    train: [(g) => `[${g.letter()}${g.digits(g.int(1, 3))}]`, (g) => `[${g.word()}-${g.digits(3)}]`, (g) => `(#${g.digits(4)})`, (g) => `[ref ${g.upper(2)}${g.digits(3)}]`, (g) => `{${g.digits(g.int(2, 5))}}`, (g) => `[#${g.digits(2)}]`, (g) => `(${g.word()} ${g.digits(2)})`, (g) => `[${g.upper(3)}]`],
    heldout: [(g) => `[${g.letter()}${g.digits(1)}-${g.digits(2)}]`, (g) => `(${g.upper(2)}-${g.digits(g.int(2, 4))})`, (g) => `<<${g.digits(3)}>>`, (g) => `[[${g.word()}_${g.digits(2)}]]`],
  },
  ticket: {
    train: [(g) => `${g.upper(g.int(2, 4))}-${g.digits(g.int(2, 5))}`, (g) => `Ticket #${g.digits(5)}`, (g) => `INC${g.digits(7)}`, (g) => `issue ${g.digits(3)}`, (g) => `Case ${g.digits(6)}`, (g) => `PR #${g.digits(4)}`, (g) => `Order ${g.upper(2)}${g.digits(6)}`],
    heldout: [(g) => `gh#${g.digits(4)}`, (g) => `REQ-${g.digits(4)}-${g.upper(1)}`, (g) => `(see ${g.upper(3)}-${g.digits(3)})`, (g) => `Bug ${g.digits(5)}:`],
  },
  uuid: {
    train: [(g) => g.uuid(), (g) => `id=${g.uuid()}`, (g) => `(${g.uuid()})`, (g) => `uuid: ${g.uuid()}`],
    heldout: [(g) => g.uuid().toUpperCase(), (g) => `{${g.uuid()}}`, (g) => `request_id: ${g.uuid()}`],
  },
  hash: {
    train: [(g) => `sha256:${g.hex(64)}`, (g) => `commit ${g.hex(7)}`, (g) => g.hex(40), (g) => g.hex(16), (g) => `sha1 ${g.hex(40)}`],
    heldout: [(g) => `md5 ${g.hex(32)}`, (g) => `#${g.hex(12)}`, (g) => `0x${g.hex(8)}`],
  },
  version: {
    train: [(g) => `v${g.int(0, 9)}.${g.int(0, 20)}.${g.int(0, 30)}`, (g) => `version ${g.int(1, 9)}.${g.int(0, 9)}`, (g) => `node ${g.int(14, 22)}.${g.int(0, 9)}.${g.int(0, 9)}`, (g) => `Python ${g.int(2, 3)}.${g.int(0, 13)}`, (g) => `rev ${g.digits(4)}`],
    heldout: [(g) => `${g.int(0, 5)}.${g.int(0, 9)}.${g.int(0, 9)}-beta.${g.int(1, 9)}`, (g) => `(build ${g.int(1, 9)}.${g.int(0, 9)}.${g.int(0, 99)}+${g.hex(7)})`, (g) => `release-${g.date().y}.${g.date().m}`],
  },
  markup: {
    train: [
      (g) => `<b>${g.word()}</b>`,
      () => '<br/>',
      (g) => `<div class="${g.word()}">`,
      () => '</p>',
      (g) => `<span>${g.Word()}</span>`,
      (g) => `<i>${g.word()}</i>`,
      (g) => `<img src="${g.word()}.png">`,
      () => '&amp;',
      (g) => `<a href="https://example.com">${g.word()}</a>`,
      (g) => `<ul><li>${g.word()}</li></ul>`,
      (g) => `<code>${g.word()}</code>`,
    ],
    heldout: [(g) => `<note id="${g.digits(2)}"/>`, () => '<?xml version="1.0"?>', (g) => `<!-- ${g.word()} -->`, (g) => `<td>${g.digits(3)}</td>`, () => '&nbsp;'],
  },
  markdown: {
    train: [(g) => `**${g.word()}**`, (g) => `# ${g.Word()}`, (g) => `- ${g.word()}\n- ${g.word()}`, (g) => `> ${g.Word()} ${g.word()}.`, () => '---', (g) => `*${g.word()}*`, (g) => `### ${g.Word()}`, (g) => `[${g.word()}](https://example.com/${g.word()})`],
    heldout: [(g) => `_${g.word()}_`, (g) => `## ${g.Word()} ${g.int(1, 9)}`, (g) => `1. ${g.word()}\n2. ${g.word()}`, (g) => `| ${g.word()} | ${g.word()} |\n|---|---|`, (g) => `~~${g.word()}~~`],
  },
  code: {
    train: [
      (g) => `\`\`\`js\nconst ${g.word()} = ${g.int(0, 99)};\n\`\`\``,
      (g) => `\`\`\`python\ndef ${g.word()}(a, b):\n    return a + b\n\`\`\``,
      (g) => `\`\`\`bash\nls -la ${g.word()}/\n\`\`\``,
      (g) => `\`${g.word()}.length\``,
      (g) => `\`\`\`ts\ninterface ${g.Word()} { id: number }\n\`\`\``,
      (g) => `\`\`\`java\nint ${g.word()} = ${g.int(0, 99)};\n\`\`\``,
      (g) => `\`\`\`css\n.${g.word()} { color: red; }\n\`\`\``,
      () => '```c\nint main(void) { return 0; }\n```',
    ],
    heldout: [
      (g) => `\`\`\`go\nfunc ${g.word()}() int { return ${g.int(0, 9)} }\n\`\`\``,
      (g) => `\`\`\`sql\nSELECT name FROM ${g.word()} WHERE id = ${g.digits(2)};\n\`\`\``,
      (g) => `\`\`\`\nfor (let i = 0; i < ${g.int(2, 9)}; i++) {}\n\`\`\``,
      (g) => `\`x += ${g.int(1, 9)}\``,
    ],
  },
  json: {
    train: [
      (g) => `{"id": ${g.digits(3)}, "ok": true}`,
      (g) => `{"tags": ["${g.word()}", "${g.word()}"]}`,
      (g) => `{"name": "${g.word()}"}`,
      (g) => `{"${g.word()}": ${g.int(0, 99)}, "${g.word()}": "${g.word()}"}`,
      (g) => `[{"id": ${g.int(1, 99)}}]`,
      () => '{"enabled": false, "items": []}',
    ],
    heldout: [(g) => `[${g.int(0, 9)}, ${g.int(0, 9)}, ${g.int(0, 9)}]`, (g) => `{"meta": {"page": ${g.int(1, 20)}}}`, (g) => `{"user": "${g.name().toLowerCase()}", "count": ${g.int(0, 99)}}`],
  },
  emoji: {
    train: [(g) => g.pick(['🙂', '😀', '👍', '🎉', '❤️', '🙏', '🔥', '😅']), (g) => `${g.pick(['😀', '👍'])}${g.pick(['🎉', '🙏'])}`, () => ':)', () => ';-)'],
    heldout: [(g) => g.pick(['🦒', '🚀', '✅', '🤔', '🌍', '😂']), (g) => `${g.pick(['🚀', '✅'])} ${g.pick(['🌍', '🤔'])}`, () => ':-D'],
  },
  path: {
    train: [(g) => `/usr/local/bin/${g.word()}`, (g) => `C:\\Users\\${g.name()}\\Documents\\${g.word()}.docx`, (g) => `./src/${g.word()}.ts`, (g) => `/home/${g.name().toLowerCase()}/${g.word()}.txt`, (g) => `src\\${g.word()}\\index.js`],
    heldout: [(g) => `~/projects/${g.word()}/README.md`, (g) => `D:\\data\\${g.word()}_${g.digits(2)}.csv`, (g) => `../lib/${g.word()}.py`, (g) => `/var/log/${g.word()}.log`],
  },
  url: {
    train: [(g) => `https://example.com/${g.word()}`, (g) => `http://${g.word()}.org/${g.digits(3)}`, (g) => `www.${g.word()}.com`, (g) => `https://www.${g.word()}.com/${g.word()}?ref=${g.digits(3)}`, (g) => `(https://${g.word()}.org)`],
    heldout: [(g) => `https://docs.${g.word()}.io/en/latest/${g.word()}.html?id=${g.digits(2)}`, (g) => `<https://${g.word()}.net>`, (g) => `ftp://files.${g.word()}.com/${g.word()}.zip`],
  },
  language: {
    train: [
      (g) => g.pick(['Merci beaucoup pour votre aide.', 'Je voudrais une réponse courte.', 'Bonne journée !']),
      (g) => g.pick(['Muchas gracias de antemano.', '¿Puedes responder en pocas palabras?', 'Saludos desde Madrid.']),
      (g) => g.pick(['Vielen Dank im Voraus.', 'Bitte kurz antworten.', 'Schönen Tag noch!']),
      (g) => g.pick(['Obrigado pela ajuda.', 'Pode responder de forma simples?']),
      (g) => g.pick(['Cảm ơn bạn rất nhiều.', 'Ευχαριστώ πολύ.', '감사합니다.', 'Terima kasih banyak.']),
    ],
    heldout: [
      (g) => g.pick(['Grazie mille per il tuo aiuto.', 'Rispondi in breve, per favore.']),
      (g) => g.pick(['Alvast bedankt voor je hulp.', 'Fijne dag nog!']),
      (g) => g.pick(['Dziękuję bardzo za pomoc.', 'Teşekkür ederim, iyi günler.', 'Tack så mycket för hjälpen.']),
      (g) => g.pick(['谢谢你的帮助。', 'ありがとうございます。', 'Спасибо за помощь.']),
    ],
  },
  timestamp: {
    train: [
      (g) => {
        const t = g.date();
        return `${t.y}-${t.m}-${t.d}T${t.hh}:${t.mm}:${t.ss}Z`;
      },
      (g) => `${g.int(1, 12)}:${g.date().mm} ${g.pick(['AM', 'PM'])}`,
      (g) => `${g.date().y}/${g.date().m}/${g.date().d}`,
      (g) => `${g.pick(['Jan', 'Feb', 'Apr', 'Jul', 'Oct'])} ${g.int(1, 28)}, ${g.date().y}`,
      (g) => {
        const t = g.date();
        return `[${t.y}-${t.m}-${t.d} ${t.hh}:${t.mm}]`;
      },
    ],
    heldout: [
      (g) => `${g.pick(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])}, ${g.date().d} ${g.pick(['Jan', 'Mar', 'Jun', 'Sep'])} ${g.date().y} ${g.date().hh}:00:00 GMT`,
      (g) => `${g.int(1500000000, 1800000000)}`,
      (g) => `${g.date().d}/${g.date().m}/${g.date().y}`,
      (g) => `(posted ${g.int(2, 59)} minutes ago)`,
    ],
  },
  signature: {
    train: [(g) => `Thanks,\n${g.name()}`, (g) => `-- \n${g.name()}\n${g.Word()} team`, () => 'Sent from my iPhone', (g) => `Kind regards,\n${g.name()}`, (g) => `${g.name()}\n${g.Word()} Inc.`, () => 'Sent from my Samsung Galaxy'],
    heldout: [(g) => `Best regards,\n${g.name()} (${g.Word()} Ltd)`, (g) => `Cheers, ${g.name()}`, () => 'Sent from Outlook for Android', (g) => `${g.name()} | ${g.Word()} lead | +1 555 ${g.digits(4)}`],
  },
  tags: {
    train: [(g) => `#${g.word()} #${g.word()}`, (g) => `@${g.name().toLowerCase()}`, (g) => `[${g.word()}]`, (g) => `#${g.word()}`, (g) => `labels: ${g.word()}, ${g.word()}`],
    heldout: [(g) => `[tag: ${g.word()}]`, (g) => `#${g.Word()}${g.int(1, 99)}`, (g) => `cc @${g.name().toLowerCase()} @${g.name().toLowerCase()}`],
  },
};

export const NOISE_FAMILIES: readonly string[] = Object.keys(FAMILIES).sort();

const SEPARATORS = [' ', ' ', '\n', '\n\n', ' - '];

/** `text` with one noise piece of `family` before it, after it, or both. */
export function noisyVariant(text: string, family: string, split: TemplateSplit, seed: number): string {
  const templates = FAMILIES[family]?.[split];
  if (!templates) throw new Error(`unknown noise family ${family}`);
  const rng = createRng((fnv1a(`${family}:${split}:${text}`) ^ seed) >>> 0);
  const g = new Draw(rng, WORDS[split]);
  const piece = () => g.pick(templates)(g);
  const sep = () => g.pick(SEPARATORS);
  const where = rng();
  if (where < 0.55) return `${text}${sep()}${piece()}`;
  if (where < 0.85) return `${piece()}${sep()}${text}`;
  return `${piece()}${sep()}${text}${sep()}${piece()}`;
}

/** One variant of every text in every family (evaluation, calibration). */
export function variantsByFamily(texts: readonly string[], split: TemplateSplit, seed: number): Variant[] {
  return NOISE_FAMILIES.flatMap((family) => texts.map((text) => ({ text: noisyVariant(text, family, split, seed), family })));
}

/** `perText` variants of every text, each in a family drawn by a hash of the text (augmentation). */
export function randomVariants(texts: readonly string[], split: TemplateSplit, seed: number, perText = 1): Variant[] {
  return texts.flatMap((text) =>
    Array.from({ length: perText }, (_, k) => {
      const family = NOISE_FAMILIES[fnv1a(`family:${k}:${seed}:${text}`) % NOISE_FAMILIES.length] as string;
      return { text: noisyVariant(text, family, split, seed + k), family };
    }),
  );
}
