import unhomoglyph from 'unhomoglyph'

/** Unicode TS #39 §4 `skeleton`: NFD, each character replaced by its confusables.txt prototype, NFD again. */
const skeleton = (text: string): string => unhomoglyph(text.normalize('NFD')).normalize('NFD')

/**
 * What a username looks like, for telling look-alikes apart: the TS #39 skeleton of the name as usernames
 * are compared (NFKC, lower-cased), so a Cyrillic `а`, a Greek `Α` and a full-width `ａ` all meet `a`.
 * Never shown: `m` becomes `rn`, by design. The mapping is confusables.txt as `unhomoglyph` ships it.
 * Here beside the store, as it is what the `username_skeleton` column holds: the migration that fills the
 * column and the repository that writes it both derive it from this.
 */
export const usernameSkeleton = (username: string): string => skeleton(username.normalize('NFKC').toLowerCase())
