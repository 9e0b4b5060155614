using System;

namespace McpAuth.Core
{
    /// <summary>Argument checks for public engine methods.</summary>
    internal static class Guard
    {
        /// <summary>Returns <paramref name="value"/>, or throws <see cref="ArgumentNullException"/> naming <paramref name="name"/>.</summary>
        public static T NotNull<T>(T? value, string name)
            where T : class
            => value ?? throw new ArgumentNullException(name);
    }
}
