"""Reusable widgets of the desk, one module each.

Import a widget from its module (`from ..widgets.countdown import …`): the
package re-exports nothing, so importing the one the queue needs for its first
paint does not import every form widget with it.
"""
