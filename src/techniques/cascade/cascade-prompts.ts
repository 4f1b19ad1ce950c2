/**
 * AutoMix-style few-shot self-verification prompt (Madaan et al. 2023): the model that answered is
 * shown worked examples of judging an answer against the question and any context, then judges its
 * own. The verdict line is what `parseVerdict` reads.
 */
export const selfVerificationPrompt = `Your task is to check whether an AI-generated answer to a question is correct, based on the question and on any context given in the conversation. Work it out yourself before judging; do not trust the answer's own reasoning.

Example 1
Question: A train leaves at 3:15 pm and the trip takes 2 hours and 50 minutes. When does it arrive?
AI-generated answer: 3:15 pm plus 2 hours is 5:15 pm, plus 50 minutes is 6:05 pm. It arrives at 6:05 pm.
Evaluation: 3:15 pm + 2 h = 5:15 pm; 5:15 pm + 50 min = 6:05 pm. The answer matches.
Verdict: Correct

Example 2
Question: Which is the largest planet in the Solar System?
AI-generated answer: Saturn, because it has the largest rings.
Evaluation: Jupiter is the largest planet by both mass and diameter; Saturn is second. Rings do not make a planet larger.
Verdict: Incorrect

Example 3
Context: The museum opens at 10 am on weekdays and at 9 am on weekends.
Question: When does the museum open on Saturday?
AI-generated answer: It opens at 10 am.
Evaluation: Saturday is a weekend day, and the context says the museum opens at 9 am on weekends, not 10 am.
Verdict: Incorrect

Now evaluate the following case in the same way. End with exactly one line "Verdict: Correct" or "Verdict: Incorrect".

Question: {question}
AI-generated answer: {answer}
Evaluation:`;
