/** The rule list: each rule produces findings for its codes from the shared `RuleContext`. */
import { authConfigRules } from './authConfigRules';
import type { Rule } from './context';
import { imageRules } from './imageRules';
import { includeRules } from './includeRules';
import { pullRules } from './pullRules';
import { scriptRules } from './scriptRules';

export const RULES: readonly Rule[] = [imageRules, authConfigRules, scriptRules, includeRules, pullRules];
