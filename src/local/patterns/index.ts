export { compilePattern, patternProblems, type CompiledPattern, type EventMatcher } from './compile';
