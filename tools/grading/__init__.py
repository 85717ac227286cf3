"""The parts of ``tools/grade_class.py``: grading a whole class with nbgrader on every core.

`course` reads the course folder, `submissions` what students handed in,
`gradebook_rows` moves a student's gradebook rows between gradebooks, and
`workers` grades in staging copies of the course.
"""
