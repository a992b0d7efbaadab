// Short chat-style questions from templates (cache-pairs.ts): each family has slots, several forms
// of the same question (paraphrases of each other) and near misses that change a slot, swap two,
// or ask the opposite. Families marked heldOut never reach training: the held-out pairs test
// question shapes the model never saw (unit conversion, pet food safety, the capital of X…).
import { ENTITY_SETS, UNIT_SETS } from './cache-pair-words.js';

// Math through a module constant: under jest's vm sandbox every global lookup in a hot loop is slow.
const M = Math;

export type Slots = Record<string, string>;
type Rng = () => number;

export interface NearMiss {
  rule: string;
  /** New slots (and optionally the forms to render them with), or undefined when it does not apply. */
  make(slots: Slots, rng: Rng): { slots: Slots; forms?: readonly string[] } | undefined;
}

export interface TemplateFamily {
  name: string;
  heldOut: boolean;
  draw(rng: Rng): Slots;
  forms: readonly string[];
  nearMisses: readonly NearMiss[];
}

const pick = <T>(items: readonly T[], rng: Rng): T => items[M.floor(rng() * items.length)]!;
const int = (lo: number, hi: number, rng: Rng) => String(lo + M.floor(rng() * (hi - lo + 1)));
function other<T>(items: readonly T[], not: T, rng: Rng): T {
  const rest = items.filter((i) => i !== not);
  return pick(rest, rng);
}
/** Two different members. */
function two<T>(items: readonly T[], rng: Rng): [T, T] {
  const a = pick(items, rng);
  return [a, other(items, a, rng)];
}

/** Another value for one slot, drawn from `values`. */
const change = (slot: string, values: readonly string[] | ((s: Slots, rng: Rng) => string)): NearMiss => ({
  rule: `change-${slot}`,
  make(slots, rng) {
    const to = typeof values === 'function' ? values(slots, rng) : other(values, slots[slot]!, rng);
    return to === slots[slot] ? undefined : { slots: { ...slots, [slot]: to } };
  },
});
/** The two slots swapped (operands, direction). */
const swap = (a: string, b: string, rule = `swap-${a}-${b}`): NearMiss => ({
  rule,
  make: (slots) => (slots[a] === slots[b] ? undefined : { slots: { ...slots, [a]: slots[b]!, [b]: slots[a]! } }),
});
/** The same slots asked differently: negated, opposite, another relation. */
const reform = (rule: string, forms: readonly string[]): NearMiss => ({ rule, make: (slots) => ({ slots, forms }) });
/** A number slot changed (a different count, amount or operand). */
const renumber = (slot: string, lo: number, hi: number): NearMiss => change(slot, (s, rng) => {
  for (let k = 0; k < 10; k++) {
    const n = int(lo, hi, rng);
    if (n !== s[slot]) return n;
  }
  return String(Number(s[slot]) + 1);
});

const COUNTRIES = ENTITY_SETS.country!;
const CITIES = ENTITY_SETS.city!;
const LANGUAGES = ENTITY_SETS.language!.filter((l) => l !== 'English');
const PROGRAMMING = ENTITY_SETS.programming!;
const ANIMALS = ['dog', 'cat', 'rabbit', 'hamster', 'parrot', 'horse', 'guinea pig', 'ferret', 'turtle', 'goldfish'];
const FOODS = ['chocolate', 'grapes', 'cheese', 'garlic', 'onions', 'peanut butter', 'avocado', 'bananas', 'carrots', 'apples', 'milk', 'eggs', 'popcorn', 'strawberries', 'rice'];
const TOPICS = ['saving money', 'public speaking', 'learning to code', 'sleeping better', 'running a marathon', 'job interviews', 'studying for exams', 'remote work', 'growing tomatoes', 'writing a resume', 'losing weight', 'travelling cheaply', 'learning a language', 'time management'];
const PHRASES = ['good morning', 'thank you very much', 'where is the train station', 'I love you', 'happy birthday', 'how much does this cost', 'see you tomorrow', 'nice to meet you', 'I am hungry', 'excuse me'];
const CODE_TASKS: readonly (readonly [string, string])[] = [
  ['sort a list in ascending order', 'sort a list in descending order'],
  ['convert a string to an integer', 'convert an integer to a string'],
  ['read a file line by line', 'write a file line by line'],
  ['add an item to a dictionary', 'remove an item from a dictionary'],
  ['find the maximum of an array', 'find the minimum of an array'],
  ['reverse a string', 'reverse a linked list'],
  ['parse JSON', 'serialize JSON'],
  ['start a thread', 'stop a thread'],
  ['open a socket', 'close a socket'],
  ['encode a URL', 'decode a URL'],
  ['round a number up', 'round a number down'],
  ['merge two lists', 'split a list in two'],
];
const CONCEPTS = ['quantum entanglement', 'inflation', 'photosynthesis', 'blockchain', 'machine learning', 'the stock market', 'black holes', 'recursion', 'the immune system', 'compound interest', 'general relativity', 'democracy', 'natural selection', 'encryption'];
const DISHES = ['lasagna', 'pancakes', 'sushi', 'guacamole', 'banana bread', 'chicken curry', 'risotto', 'tomato soup', 'apple pie', 'fried rice', 'hummus', 'paella', 'brownies', 'pad thai'];
const DISEASES = ENTITY_SETS.disease!;
const EVENTS = ['World War I', 'World War II', 'the French Revolution', 'the Cold War', 'the American Civil War', 'the Great Depression', 'the Renaissance', 'the Industrial Revolution', 'the Vietnam War', 'the Korean War', 'the Space Race', 'the Hundred Years War'];
const BOOKS = ['Pride and Prejudice', 'Moby Dick', '1984', 'War and Peace', 'The Great Gatsby', 'Hamlet', 'Don Quixote', 'Ulysses', 'The Odyssey', 'Frankenstein', 'Dracula', 'Jane Eyre', 'Brave New World', 'The Hobbit'];
const THINGS = ['animal', 'desert', 'ocean', 'country', 'lake', 'mountain', 'bird', 'island', 'river', 'city', 'planet', 'tree'];
const PRO_TOPICS = ['solar panels', 'electric cars', 'remote work', 'nuclear energy', 'homeschooling', 'a vegan diet', 'cloud computing', 'renting a home', 'open source software', 'public transport', 'social media', 'online classes'];
const SUBSTANCES = ['water', 'ethanol', 'mercury', 'iron', 'gold', 'nitrogen', 'oxygen', 'copper', 'salt', 'lead', 'aluminum', 'helium'];
const PEOPLE_PAIRS = ['Mozart', 'Beethoven', 'Bach', 'Newton', 'Einstein', 'Darwin', 'Lincoln', 'Napoleon', 'Shakespeare', 'Galileo', 'Picasso', 'Tesla', 'Edison', 'Gandhi'];
const SIZE_PAIRS = ['the Sun', 'the Moon', 'Jupiter', 'Earth', 'Mars', 'an elephant', 'a whale', 'a giraffe', 'Texas', 'Alaska', 'France', 'Germany', 'the Pacific Ocean', 'the Atlantic Ocean'];
const RECIPIENTS = ['manager', 'landlord', 'teacher', 'doctor', 'neighbor', 'professor', 'client', 'colleague', 'coach', 'bank'];
const REQUESTS = ['a day off', 'a refund', 'an extension on the deadline', 'a meeting next week', 'a letter of recommendation', 'feedback on my report', 'a raise', 'more information', 'a repair', 'an appointment'];
const ACTIONS = ['drink coffee', 'take ibuprofen', 'eat sushi', 'go swimming', 'fly', 'drink alcohol', 'exercise', 'take a hot bath', 'get a tattoo', 'drive'];
const STATES = ['pregnant', 'breastfeeding', 'sick with the flu', 'on antibiotics', 'fasting', 'jet lagged', 'recovering from surgery'];
const WHEN = ['today', 'tomorrow', 'this weekend', 'tonight', 'next week'];
const WORDS = ['serendipity', 'ephemeral', 'ubiquitous', 'pragmatic', 'resilient', 'ambiguous', 'meticulous', 'benevolent', 'candid', 'eloquent', 'frugal', 'nostalgia', 'paradox', 'irony'];

function unitPair(rng: Rng): [string, string] {
  const kind = pick(['length', 'mass', 'temperature', 'volume', 'time', 'data'], rng);
  return two(UNIT_SETS[kind]!, rng);
}
const sameKindUnit = (slot: string, partner: string) => (s: Slots, rng: Rng) => {
  const kind = Object.keys(UNIT_SETS).find((k) => UNIT_SETS[k]!.includes(s[slot]!))!;
  return other(UNIT_SETS[kind]!.filter((u) => u !== s[partner]), s[slot]!, rng);
};
const CURRENCY = ['dollars', 'euros', 'yen', 'pounds', 'rupees', 'pesos', 'Swiss francs', 'Canadian dollars'];

export const TEMPLATE_FAMILIES: readonly TemplateFamily[] = [
  {
    name: 'convert-units',
    heldOut: true,
    draw: (rng) => {
      const [from, to] = unitPair(rng);
      return { n: int(2, 500, rng), from, to };
    },
    forms: ['Convert {n} {from} to {to}', 'How many {to} is {n} {from}?', 'What is {n} {from} in {to}?', '{n} {from} to {to}', 'Convert {n} {from} into {to}, please.', 'How much is {n} {from} in {to}?'],
    nearMisses: [swap('from', 'to', 'opposite-direction'), renumber('n', 2, 500), change('to', sameKindUnit('to', 'from'))],
  },
  {
    name: 'currency',
    heldOut: false,
    draw: (rng) => {
      const [from, to] = two(CURRENCY, rng);
      return { n: int(5, 2000, rng), from, to };
    },
    forms: ['Convert {n} {from} to {to}', 'How many {to} is {n} {from}?', 'What is {n} {from} in {to}?', '{n} {from} in {to}', 'How much is {n} {from} worth in {to}?'],
    nearMisses: [swap('from', 'to', 'opposite-direction'), renumber('n', 5, 2000), change('to', CURRENCY)],
  },
  {
    name: 'arithmetic',
    heldOut: false,
    draw: (rng) => {
      const [a, b] = two(['2', '3', '4', '5', '6', '7', '8', '9', '10', '12', '15', '20', '24', '36', '48', '50', '64', '72', '81', '96', '100', '144', '250', '1000'], rng);
      return { a, b };
    },
    forms: ['What is {a} divided by {b}?', '{a} divided by {b}', 'Divide {a} by {b}.', 'Calculate {a} divided by {b}', 'What do you get if you divide {a} by {b}?', 'What is {a}/{b}?'],
    nearMisses: [swap('a', 'b', 'swapped-operands'), renumber('a', 2, 200), reform('other-operation', ['What is {a} times {b}?', 'What is {a} minus {b}?', 'What is {a} plus {b}?'])],
  },
  {
    name: 'subtraction',
    heldOut: true,
    draw: (rng) => {
      const [a, b] = two(['3', '7', '11', '15', '18', '23', '42', '56', '67', '85', '99', '120', '365', '512'], rng);
      return { a, b };
    },
    forms: ['What is {a} minus {b}?', 'Subtract {b} from {a}.', '{a} minus {b}', 'What do you get when you take {b} away from {a}?', 'Calculate {a} - {b}'],
    nearMisses: [swap('a', 'b', 'swapped-operands'), renumber('b', 2, 600), reform('other-operation', ['What is {a} plus {b}?', 'What is {a} divided by {b}?'])],
  },
  {
    name: 'pet-food-safety',
    heldOut: true,
    draw: (rng) => ({ food: pick(FOODS, rng), animal: pick(ANIMALS, rng) }),
    forms: ['Is {food} safe for a {animal}?', 'Can a {animal} eat {food}?', 'Is it safe to give {food} to my {animal}?', 'Can I feed my {animal} {food}?', 'Is it OK for a {animal} to eat {food}?'],
    nearMisses: [
      reform('negation', ['Is {food} not safe for a {animal}?', 'Why is {food} unsafe for a {animal}?', "Can't a {animal} eat {food}?"]),
      change('food', FOODS),
      change('animal', ANIMALS),
    ],
  },
  {
    name: 'tips-count',
    heldOut: false,
    draw: (rng) => ({ n: pick(['3', '5', '7', '10', '12', '15', '20'], rng), topic: pick(TOPICS, rng) }),
    forms: ['Give me {n} tips for {topic}', 'What are {n} tips for {topic}?', 'List {n} tips on {topic}.', 'Share {n} tips about {topic}', 'I need {n} tips for {topic}.', 'Can you give me {n} tips on {topic}?'],
    nearMisses: [change('n', ['2', '3', '4', '5', '6', '8', '10', '25']), change('topic', TOPICS), reform('other-request', ['Give me {n} mistakes to avoid when {topic}', 'What are {n} myths about {topic}?'])],
  },
  {
    name: 'capital',
    heldOut: true,
    draw: (rng) => ({ country: pick(COUNTRIES, rng) }),
    forms: ['What is the capital of {country}?', "What's the capital city of {country}?", 'Tell me the capital of {country}.', 'Which city is the capital of {country}?', 'Name the capital of {country}.', 'capital of {country}?'],
    nearMisses: [change('country', COUNTRIES), reform('other-relation', ['What is the largest city of {country}?', 'What is the currency of {country}?', 'What language is spoken in {country}?'])],
  },
  {
    name: 'population',
    heldOut: false,
    draw: (rng) => ({ country: pick(COUNTRIES, rng) }),
    forms: ['What is the population of {country}?', 'How many people live in {country}?', "What's the population of {country}?", 'How big is the population of {country}?', 'Population of {country}?'],
    nearMisses: [change('country', COUNTRIES), reform('other-relation', ['What is the area of {country}?', 'What is the GDP of {country}?', 'How many people live in the capital of {country}?'])],
  },
  {
    name: 'translate',
    heldOut: false,
    draw: (rng) => ({ phrase: pick(PHRASES, rng), lang: pick(LANGUAGES, rng) }),
    forms: ["Translate '{phrase}' into {lang}", "How do you say '{phrase}' in {lang}?", "What is '{phrase}' in {lang}?", "'{phrase}' in {lang}, please", "Translate '{phrase}' to {lang}."],
    nearMisses: [change('lang', LANGUAGES), change('phrase', PHRASES), reform('opposite-direction', ["Translate '{phrase}' from {lang} into English"])],
  },
  {
    name: 'code-howto',
    heldOut: false,
    draw: (rng) => {
      const pair = pick(CODE_TASKS, rng);
      return { task: pair[0], opposite: pair[1], lang: pick(PROGRAMMING, rng) };
    },
    forms: ['How do I {task} in {lang}?', 'In {lang}, how do I {task}?', 'How can I {task} using {lang}?', "What's the way to {task} in {lang}?", '{lang}: how to {task}?', 'How to {task} in {lang}'],
    nearMisses: [
      change('lang', PROGRAMMING),
      { rule: 'opposite-task', make: (s) => ({ slots: { ...s, task: s.opposite!, opposite: s.task! } }) },
      change('task', CODE_TASKS.map((p) => p[0])),
    ],
  },
  {
    name: 'compare-size',
    heldOut: false,
    draw: (rng) => {
      const [x, y] = two(SIZE_PAIRS, rng);
      return { x, y };
    },
    forms: ['Is {x} bigger than {y}?', 'Is {x} larger than {y}?', 'Is {x} greater in size than {y}?', 'Is {x} bigger in size than {y}?'],
    nearMisses: [swap('x', 'y', 'swapped-comparison'), reform('comparison-flip', ['Is {x} smaller than {y}?', 'Is {x} heavier than {y}?']), change('y', SIZE_PAIRS)],
  },
  {
    name: 'age-compare',
    heldOut: true,
    draw: (rng) => {
      const [p, q] = two(PEOPLE_PAIRS, rng);
      return { p, q };
    },
    forms: ['Was {p} older than {q}?', 'Was {p} born before {q}?', 'Is it true that {p} was older than {q}?', 'Was {p} born earlier than {q}?'],
    nearMisses: [swap('p', 'q', 'swapped-comparison'), reform('comparison-flip', ['Was {p} younger than {q}?', 'Was {p} born after {q}?']), change('q', PEOPLE_PAIRS)],
  },
  {
    name: 'difference-between',
    heldOut: false,
    draw: (rng) => {
      const [x, y] = two(CONCEPTS, rng);
      return { x, y };
    },
    // Swapping x and y keeps the question: a symmetric relation is a paraphrase, not a near miss.
    forms: ['What is the difference between {x} and {y}?', 'How does {x} differ from {y}?', "What's the difference between {y} and {x}?", 'How are {x} and {y} different?', '{x} vs {y}: what is the difference?'],
    nearMisses: [change('y', CONCEPTS), reform('other-relation', ['What do {x} and {y} have in common?', 'How is {x} related to {y}?'])],
  },
  {
    name: 'route-directions',
    heldOut: true,
    draw: (rng) => {
      const [from, to] = two(CITIES, rng);
      return { from, to };
    },
    forms: ['How do I get from {from} to {to}?', 'Directions from {from} to {to}', "What's the best route from {from} to {to}?", 'How can I travel from {from} to {to}?', 'Route from {from} to {to}?'],
    nearMisses: [swap('from', 'to', 'opposite-direction'), change('to', CITIES), change('from', CITIES)],
  },
  {
    name: 'flight-time',
    heldOut: false,
    draw: (rng) => {
      const [from, to] = two(CITIES, rng);
      return { from, to };
    },
    forms: ['How long is the flight from {from} to {to}?', 'Flight time from {from} to {to}?', 'How many hours is a flight from {from} to {to}?', 'How long does it take to fly from {from} to {to}?'],
    nearMisses: [change('to', CITIES), change('from', CITIES), reform('other-relation', ['How much is a flight from {from} to {to}?', 'How long is the train ride from {from} to {to}?'])],
  },
  {
    name: 'weather',
    heldOut: true,
    draw: (rng) => ({ city: pick(CITIES, rng), when: pick(WHEN, rng) }),
    forms: ["What's the weather in {city} {when}?", 'What is the weather forecast for {city} {when}?', 'How is the weather in {city} {when}?', 'Weather in {city} {when}?', 'What will the weather be like in {city} {when}?'],
    nearMisses: [change('city', CITIES), change('when', WHEN), reform('other-relation', ['What time is sunset in {city} {when}?'])],
  },
  {
    name: 'definition',
    heldOut: false,
    draw: (rng) => ({ word: pick(WORDS, rng) }),
    forms: ['What does {word} mean?', 'Define {word}.', 'What is the meaning of {word}?', "What's the definition of {word}?", 'Meaning of the word {word}?', 'What does the word {word} mean?'],
    nearMisses: [change('word', WORDS), reform('other-relation', ['What is the opposite of {word}?', 'Give me a synonym for {word}.', 'Use {word} in a sentence.'])],
  },
  {
    name: 'recipe',
    heldOut: false,
    draw: (rng) => ({ dish: pick(DISHES, rng) }),
    forms: ['How do I make {dish}?', 'Give me a recipe for {dish}.', 'How to cook {dish}?', "What's a good recipe for {dish}?", 'How can I make {dish} at home?', 'Recipe for {dish}, please'],
    nearMisses: [change('dish', DISHES), reform('other-request', ['How many calories are in {dish}?', 'How do I make vegan {dish}?', 'Where does {dish} come from?'])],
  },
  {
    name: 'symptoms',
    heldOut: true,
    draw: (rng) => ({ disease: pick(DISEASES, rng) }),
    forms: ['What are the symptoms of {disease}?', 'What are the signs of {disease}?', 'How do I know if I have {disease}?', 'Symptoms of {disease}?', 'What symptoms does {disease} cause?'],
    nearMisses: [change('disease', DISEASES), reform('other-relation', ['What is the treatment for {disease}?', 'What causes {disease}?', 'How can I prevent {disease}?'])],
  },
  {
    name: 'history-year',
    heldOut: false,
    draw: (rng) => ({ event: pick(EVENTS, rng) }),
    forms: ['When did {event} start?', 'In what year did {event} begin?', 'What year did {event} start?', 'When did {event} begin?', 'In which year did {event} start?'],
    nearMisses: [change('event', EVENTS), reform('opposite', ['When did {event} end?', 'In what year did {event} end?']), reform('other-relation', ['Why did {event} start?'])],
  },
  {
    name: 'percent',
    heldOut: false,
    draw: (rng) => ({ p: pick(['5', '10', '12', '15', '20', '25', '30', '40', '75'], rng), n: int(20, 900, rng) }),
    forms: ['What is {p}% of {n}?', 'What is {p} percent of {n}?', 'Calculate {p}% of {n}.', 'Find {p} percent of {n}', 'How much is {p}% of {n}?'],
    nearMisses: [change('p', ['5', '8', '10', '15', '20', '35', '50', '60']), renumber('n', 20, 900), reform('other-operation', ['Increase {n} by {p}%', 'What is {n} minus {p}%?'])],
  },
  {
    name: 'author',
    heldOut: true,
    draw: (rng) => ({ book: pick(BOOKS, rng) }),
    forms: ['Who wrote {book}?', 'Who is the author of {book}?', 'Who was {book} written by?', 'Tell me who wrote {book}.', 'Who is the writer of {book}?'],
    nearMisses: [change('book', BOOKS), reform('other-relation', ['When was {book} written?', 'What is {book} about?'])],
  },
  {
    name: 'superlative',
    heldOut: false,
    draw: (rng) => ({ thing: pick(THINGS, rng) }),
    forms: ['What is the largest {thing} in the world?', "What's the biggest {thing} on Earth?", 'Which {thing} is the largest in the world?', 'Name the largest {thing} in the world.', 'Biggest {thing} in the world?'],
    nearMisses: [reform('opposite', ['What is the smallest {thing} in the world?', 'What is the oldest {thing} in the world?']), change('thing', THINGS)],
  },
  {
    name: 'pros-cons',
    heldOut: false,
    draw: (rng) => ({ topic: pick(PRO_TOPICS, rng) }),
    forms: ['What are the advantages of {topic}?', 'What are the benefits of {topic}?', 'What are the pros of {topic}?', 'List the benefits of {topic}.', 'Why is {topic} a good idea?'],
    nearMisses: [reform('opposite', ['What are the disadvantages of {topic}?', 'What are the drawbacks of {topic}?', 'Why is {topic} a bad idea?']), change('topic', PRO_TOPICS)],
  },
  {
    name: 'sort-order',
    heldOut: true,
    draw: (rng) => ({ list: [int(1, 99, rng), int(1, 99, rng), int(1, 99, rng), int(1, 99, rng)].join(', ') }),
    forms: ['Sort {list} in ascending order', 'Order {list} from smallest to largest', 'Arrange {list} in increasing order', 'Put {list} in ascending order.'],
    nearMisses: [
      reform('opposite', ['Sort {list} in descending order', 'Order {list} from largest to smallest']),
      { rule: 'change-list', make: (s, rng) => ({ slots: { list: s.list!.replace(/\d+$/, int(100, 199, rng)) } }) },
    ],
  },
  {
    name: 'weekday',
    heldOut: false,
    draw: (rng) => ({ day: int(1, 28, rng), month: pick(ENTITY_SETS.month!, rng), year: int(1950, 2030, rng) }),
    forms: ['What day of the week was {month} {day}, {year}?', 'Which weekday was {month} {day}, {year}?', 'On what day of the week did {month} {day}, {year} fall?', 'What weekday is {month} {day}, {year}?'],
    nearMisses: [renumber('day', 1, 28), renumber('year', 1950, 2030), change('month', ENTITY_SETS.month!)],
  },
  {
    name: 'boiling-point',
    heldOut: true,
    draw: (rng) => ({ s: pick(SUBSTANCES, rng) }),
    forms: ['What is the boiling point of {s}?', 'At what temperature does {s} boil?', "What's the boiling temperature of {s}?", 'At which temperature does {s} start to boil?'],
    nearMisses: [reform('other-relation', ['What is the melting point of {s}?', 'At what temperature does {s} freeze?', 'What is the density of {s}?']), change('s', SUBSTANCES)],
  },
  {
    name: 'safe-while',
    heldOut: false,
    draw: (rng) => ({ action: pick(ACTIONS, rng), state: pick(STATES, rng) }),
    forms: ['Can I {action} while {state}?', 'Is it safe to {action} while {state}?', 'Is it OK to {action} when {state}?', 'Am I allowed to {action} while {state}?'],
    nearMisses: [reform('negation', ['Why should I not {action} while {state}?', "Why can't I {action} while {state}?"]), change('action', ACTIONS), change('state', STATES)],
  },
  {
    name: 'email-request',
    heldOut: false,
    draw: (rng) => ({ to: pick(RECIPIENTS, rng), ask: pick(REQUESTS, rng) }),
    forms: ['Write an email to my {to} asking for {ask}', 'Draft an email to my {to} requesting {ask}', 'Compose an email asking my {to} for {ask}', 'Help me write an email to my {to} to ask for {ask}'],
    nearMisses: [change('to', RECIPIENTS), change('ask', REQUESTS), reform('opposite', ['Write an email to my {to} declining {ask}', 'Write an email to my {to} thanking them for {ask}'])],
  },
  {
    name: 'explain-simply',
    heldOut: false,
    draw: (rng) => ({ c: pick(CONCEPTS, rng) }),
    forms: ['Explain {c} in simple terms', 'Can you explain {c} simply?', 'What is {c}, in simple words?', 'Explain {c} to me like I am a beginner', 'Give me a simple explanation of {c}'],
    nearMisses: [change('c', CONCEPTS), reform('other-request', ['What is the history of {c}?', 'What are common misconceptions about {c}?'])],
  },
  {
    name: 'distance',
    heldOut: false,
    draw: (rng) => {
      const [a, b] = two(CITIES, rng);
      return { a, b };
    },
    // Distance is symmetric: the swapped question is a paraphrase.
    forms: ['How far is {a} from {b}?', 'What is the distance between {a} and {b}?', "What's the distance from {a} to {b}?", 'How far apart are {a} and {b}?', 'What is the distance between {b} and {a}?'],
    nearMisses: [change('b', CITIES), change('a', CITIES), reform('other-relation', ['What is the time difference between {a} and {b}?'])],
  },
];
