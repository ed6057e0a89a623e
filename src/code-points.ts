/** Characters as PostgreSQL's varchar counts them (code points), not UTF-16 units. */
export const codePoints = (text: string): number => [...text].length
