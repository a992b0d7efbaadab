// Stop words of the Latin-script languages the guard tells apart, chosen to be distinctive: words
// shared by several of them ("a", "de", "la", "in") are left out. Also the common words that may
// start a sentence capitalised without being a name ("Explain ...", "Can ...", "Hello ...").

export const STOP_WORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  en: new Set(('the is are what how and of you your it this that with for do does can my was were which who why when where be have has will would should could there their me an on at by about please i get give tell'.split(' '))),
  fr: new Set('le les est sont et des du une que qui quoi pour dans avec je vous tu il elle nous mon ma mes votre ce cette comment quel quelle quels quelles pourquoi où sur au aux est-ce combien'.split(' ')),
  de: new Set('der die das und ist sind nicht ein eine einen ich du wir ihr mit für auf von zu den dem des wie was warum wo wer kann können mein meine bitte auch oder aber ich'.split(' ')),
  es: new Set('el los las es son y qué cómo por para con una uno del al mi yo usted está están cuál cuáles dónde cuándo porque pero muy puedo hay cuánto cuántos'.split(' ')),
  it: new Set('il gli è sono che di per con uno della come cosa perché dove quando mio mia io sei questo questa qual quale quanto'.split(' ')),
  pt: new Set('o os é são do da dos das um uma com para por como não eu você meu minha onde quando porque qual quais está estão isso isto quanto'.split(' ')),
  nl: new Set('het een zijn en van niet ik je jij u wij met voor op wat hoe waarom waar wie mijn dit dat kan kunnen ook maar'.split(' ')),
};

/** Words that start sentences capitalised without being names (lower case). */
export const SENTENCE_STARTERS: ReadonlySet<string> = new Set([
  ...Object.values(STOP_WORDS).flatMap((s) => [...s]),
  ...('a an any all some no not yes ok okay so if then also but or and as now here there hi hello hey thanks thank dear ' +
    'explain write tell give list describe summarize summarise translate convert show find calculate compute define compare ' +
    'create make generate help suggest recommend name provide rewrite fix check draft outline classify extract analyze analyse ' +
    'is are was were do does did can could will would should shall may might must has have had am be being been ' +
    'what when where which who whom whose why how whats how\'s what\'s where\'s who\'s it\'s there\'s let let\'s please ' +
    'my your our their his her its this that these those they we you he she it one each every in on at for from to by with about ' +
    'after before during while since until between among into onto over under above below up down out off through across ' +
    'quick simple short brief fast ' +
    // imperatives that start prompts
    'put arrange sort order rank rewrite rephrase paraphrase simplify shorten expand improve edit correct proofread ' +
    'solve evaluate estimate determine identify predict prove derive design build implement develop debug optimize ' +
    'optimise refactor test review plan organize organise schedule choose pick select decide say answer respond reply ' +
    'read count add subtract multiply divide sum total round measure spell pronounce conjugate illustrate demonstrate ' +
    'teach guide walk take bring send go look search map change turn switch move copy fill complete finish continue ' +
    'start begin stop imagine pretend act play assume suppose consider think reflect discuss argue debate critique ' +
    'criticize criticise rate score grade judge assess categorize categorise group split merge combine join separate ' +
    'filter remove delete insert replace reverse flip invert rotate transform format encode decode route directions ' +
    'symptoms signs cost price steps ways tips ideas examples reasons difference meaning definition ' +
    'best top good great nice cool new old first last next other another same different true false').split(' '),
]);
