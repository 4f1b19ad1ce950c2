/** Added to the system prompt when relevant lessons were found; {lessons} is a numbered list. */
export const lessonsPrompt = `Lessons learned from earlier mistakes on similar questions (apply them where they are relevant, ignore them where they are not):
{lessons}`;

/** Asks for the general lesson behind a wrong answer; {feedback} says what was wrong, when known. */
export const distillPrompt = `An earlier answer to the question below was judged wrong.

Question:
{question}

Answer given:
{answer}

{feedback}

What general lesson would have avoided this mistake? Write it as one or two sentences of advice that would help with similar questions in the future, not only this one. Do not restate the question or its answer. Reply with the lesson only.`;
