/**
 * The Snowball Dutch stemmer (the original "dutch" algorithm,
 * https://snowballstem.org/algorithms/dutch/stemmer.html), for lower-case words without
 * accents (text-analysis.ts folds them first). One deliberate change: after removing `-en`
 * or `-e`, any doubled consonant is undoubled, not only kk/dd/tt, so that "waterschappen"
 * and "waterschap", "mannen" and "man", "kassen" and "kas" meet.
 */
const isVowel = (c: string | undefined): boolean => c !== undefined && 'aeiouy'.includes(c);

function regionAfterFirstNonVowelFollowingVowel(w: string, from: number): number {
  for (let i = from + 1; i < w.length; i++) {
    if (!isVowel(w[i]) && isVowel(w[i - 1])) return i + 1;
  }
  return w.length;
}

function undouble(w: string): string {
  const n = w.length;
  if (n >= 2 && w[n - 1] === w[n - 2] && !isVowel(w[n - 1]) && w[n - 1] !== 'I' && w[n - 1] !== 'Y') return w.slice(0, -1);
  return w;
}

/** "A valid en-ending": a non-vowel, and not `gem` before the `en`. */
function validEnEnding(w: string, suffixStart: number): boolean {
  const before = w[suffixStart - 1];
  if (before === undefined || isVowel(before)) return false;
  return w.slice(suffixStart - 3, suffixStart) !== 'gem';
}

/** "A valid s-ending": a non-vowel other than j. */
function validSEnding(w: string, suffixStart: number): boolean {
  const before = w[suffixStart - 1];
  return before !== undefined && !isVowel(before) && before !== 'j';
}

export function dutchStem(word: string): string {
  if (word.length < 3) return word;
  // Mark y and i that act as consonants (initial y, y after a vowel, i between vowels).
  const chars = [...word];
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === 'y' && (i === 0 || isVowel(chars[i - 1]))) chars[i] = 'Y';
    else if (chars[i] === 'i' && i > 0 && i < chars.length - 1 && isVowel(chars[i - 1]) && isVowel(chars[i + 1])) chars[i] = 'I';
  }
  let w = chars.join('');
  const r1 = Math.max(3, regionAfterFirstNonVowelFollowingVowel(w, 0));
  const r2 = r1 >= w.length ? w.length : regionAfterFirstNonVowelFollowingVowel(w, r1);
  const inR1 = (suffix: string) => w.endsWith(suffix) && w.length - suffix.length >= r1;
  const inR2 = (suffix: string) => w.endsWith(suffix) && w.length - suffix.length >= r2;

  // Step 1
  if (w.endsWith('heden')) {
    if (inR1('heden')) w = w.slice(0, -5) + 'heid';
  } else if (w.endsWith('ene') || w.endsWith('en')) {
    const suffix = w.endsWith('ene') ? 'ene' : 'en';
    if (inR1(suffix) && validEnEnding(w, w.length - suffix.length)) w = undouble(w.slice(0, -suffix.length));
  } else if (w.endsWith('se') || w.endsWith('s')) {
    const suffix = w.endsWith('se') ? 'se' : 's';
    if (inR1(suffix) && validSEnding(w, w.length - suffix.length)) w = w.slice(0, -suffix.length);
  }

  // Step 2
  let eFound = false;
  const step2 = () => {
    if (inR1('e') && w.length >= 2 && !isVowel(w[w.length - 2])) {
      w = undouble(w.slice(0, -1));
      eFound = true;
    }
  };
  step2();

  // Step 3a
  if (inR2('heid') && w[w.length - 5] !== 'c') {
    w = w.slice(0, -4);
    if (inR1('en') && validEnEnding(w, w.length - 2)) w = undouble(w.slice(0, -2));
  }

  // Step 3b
  if (w.endsWith('end') || w.endsWith('ing')) {
    if (inR2(w.slice(-3))) {
      w = w.slice(0, -3);
      if (inR2('ig') && w[w.length - 3] !== 'e') w = w.slice(0, -2);
      else w = undouble(w);
    }
  } else if (w.endsWith('ig')) {
    if (inR2('ig') && w[w.length - 3] !== 'e') w = w.slice(0, -2);
  } else if (w.endsWith('lijk')) {
    if (inR2('lijk')) {
      w = w.slice(0, -4);
      step2();
    }
  } else if (w.endsWith('baar')) {
    if (inR2('baar')) w = w.slice(0, -4);
  } else if (w.endsWith('bar')) {
    if (inR2('bar') && eFound) w = w.slice(0, -3);
  }

  // Step 4: undouble a vowel before a final consonant (maan -> man).
  const n = w.length;
  if (n >= 4) {
    const [c, v1, v2, d] = [w[n - 4], w[n - 3], w[n - 2], w[n - 1]];
    if (c !== undefined && !isVowel(c) && v1 === v2 && v1 !== undefined && 'aeou'.includes(v1) && d !== undefined && !isVowel(d) && d !== 'I') {
      w = w.slice(0, n - 2) + d;
    }
  }
  return w.replace(/I/g, 'i').replace(/Y/g, 'y');
}
