/**
 * Default prompts of the thought searches (tree-of-thoughts, mcts), adapted from the "propose",
 * "value" and "vote" prompts of Yao et al. 2023 to any question. {steps} is the state as numbered
 * steps, or "(none yet)" at the root.
 */
export const proposePrompt = `Solve the problem below one step at a time.

Problem:
{question}

Steps so far:
{steps}

Write step {step} only: one short, concrete reasoning step that follows from the steps so far and moves the solution forward. Do not repeat earlier steps and do not write later ones. If this step completes the solution, end it with a line "{answer_marker} <the answer>".`;

export const valuePrompt = `Judge a partial solution to the problem below.

Problem:
{question}

Steps so far:
{steps}

Check each step for errors of fact, logic or calculation, then judge whether continuing from these steps can reach a correct answer. Explain briefly, then end with a last line holding one word:
sure - the steps are correct and lead to (or already reach) the correct answer
likely - the steps are correct so far, but it is not yet clear that they reach the answer
impossible - a step is wrong, or the steps cannot lead to a correct answer`;

export const votePrompt = `Several partial solutions to the problem below are listed. Decide which one is the most promising to continue towards a correct answer.

Problem:
{question}

{choices}

Analyse each choice briefly, then conclude with a last line of the form "The best choice is N", where N is the number of the choice.`;

export const answerPrompt = `{question}

A line of reasoning for this question:
{steps}

Using this reasoning, and correcting it where it is wrong, answer the question.`;
